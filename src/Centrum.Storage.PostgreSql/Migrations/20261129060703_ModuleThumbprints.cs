using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ModuleThumbprints : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "X509PrimaryThumbprint",
                table: "modules",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true,
                collation: "C");

            migrationBuilder.AddColumn<string>(
                name: "X509SecondaryThumbprint",
                table: "modules",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true,
                collation: "C");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "X509PrimaryThumbprint",
                table: "modules");

            migrationBuilder.DropColumn(
                name: "X509SecondaryThumbprint",
                table: "modules");
        }
    }
}
