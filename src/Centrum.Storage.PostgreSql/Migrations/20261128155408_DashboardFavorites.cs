using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class DashboardFavorites : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "dashboard_favorites",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Member = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DashboardId = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dashboard_favorites", x => new { x.ApplicationId, x.Member });
                    table.ForeignKey(
                        name: "FK_dashboard_favorites_applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dashboard_favorites");
        }
    }
}
