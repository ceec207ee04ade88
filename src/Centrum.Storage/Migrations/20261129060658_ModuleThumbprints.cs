using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.Migrations
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
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "X509SecondaryThumbprint",
                table: "modules",
                type: "TEXT",
                maxLength: 64,
                nullable: true);
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
