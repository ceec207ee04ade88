using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.Migrations
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
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    Account = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ProtectedConnectionString = table.Column<string>(type: "TEXT", nullable: false),
                    Container = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    SasTtlSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    ReadAccess = table.Column<bool>(type: "INTEGER", nullable: false),
                    ETag = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_file_upload_settings", x => x.ApplicationId);
                });

            migrationBuilder.CreateTable(
                name: "file_uploads",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    CorrelationId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    DeviceId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ModuleId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    BlobName = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    Container = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    CreatedUnixMs = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresUnixMs = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    IsSuccess = table.Column<bool>(type: "INTEGER", nullable: true),
                    StatusCode = table.Column<int>(type: "INTEGER", nullable: true),
                    StatusDescription = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true)
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
