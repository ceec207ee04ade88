using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class DeploymentManifests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "deployment_manifests",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    DisplayName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Data = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Organizations = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ETag = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deployment_manifests", x => new { x.ApplicationId, x.Id });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deployment_manifests");
        }
    }
}
