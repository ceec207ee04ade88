using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class FileUploads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "file_upload_settings",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Account = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C"),
                    ProtectedConnectionString = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Container = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false, collation: "C"),
                    SasTtlSeconds = table.Column<int>(type: "integer", nullable: false),
                    ReadAccess = table.Column<bool>(type: "boolean", nullable: false),
                    ETag = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_file_upload_settings", x => x.ApplicationId);
                });

            migrationBuilder.CreateTable(
                name: "file_uploads",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    CorrelationId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    DeviceId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    ModuleId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true, collation: "C"),
                    BlobName = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false, collation: "C"),
                    Container = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false, collation: "C"),
                    CreatedUnixMs = table.Column<long>(type: "bigint", nullable: false),
                    ExpiresUnixMs = table.Column<long>(type: "bigint", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    IsSuccess = table.Column<bool>(type: "boolean", nullable: true),
                    StatusCode = table.Column<int>(type: "integer", nullable: true),
                    StatusDescription = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_file_uploads", x => new { x.ApplicationId, x.CorrelationId });
                    table.ForeignKey(
                        name: "FK_file_uploads_devices_ApplicationId_DeviceId",
                        columns: x => new { x.ApplicationId, x.DeviceId },
                        principalTable: "devices",
                        principalColumns: new[] { "ApplicationId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_file_uploads_ApplicationId_DeviceId_CreatedUnixMs",
                table: "file_uploads",
                columns: new[] { "ApplicationId", "DeviceId", "CreatedUnixMs" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "file_upload_settings");

            migrationBuilder.DropTable(
                name: "file_uploads");
        }
    }
}
