using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.Migrations
{
    /// <inheritdoc />
    public partial class DeviceRelationships : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "device_relationships",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    Id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    SourceId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    TargetId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_device_relationships", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_device_relationships_devices_ApplicationId_SourceId",
                        columns: x => new { x.ApplicationId, x.SourceId },
                        principalTable: "devices",
                        principalColumns: new[] { "ApplicationId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_device_relationships_devices_ApplicationId_TargetId",
                        columns: x => new { x.ApplicationId, x.TargetId },
                        principalTable: "devices",
                        principalColumns: new[] { "ApplicationId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_device_relationships_ApplicationId_SourceId",
                table: "device_relationships",
                columns: new[] { "ApplicationId", "SourceId" });

            migrationBuilder.CreateIndex(
                name: "IX_device_relationships_ApplicationId_TargetId",
                table: "device_relationships",
                columns: new[] { "ApplicationId", "TargetId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "device_relationships");
        }
    }
}
