using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ModuleIdentities : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IotEdge",
                table: "devices",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "modules",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    DeviceId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    GenerationId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ETag = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ManagedBy = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    AuthenticationType = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    PrimaryKeyProtected = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    SecondaryKeyProtected = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_modules", x => new { x.ApplicationId, x.DeviceId, x.Id });
                    table.ForeignKey(
                        name: "FK_modules_devices_ApplicationId_DeviceId",
                        columns: x => new { x.ApplicationId, x.DeviceId },
                        principalTable: "devices",
                        principalColumns: new[] { "ApplicationId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "modules");

            migrationBuilder.DropColumn(
                name: "IotEdge",
                table: "devices");
        }
    }
}
