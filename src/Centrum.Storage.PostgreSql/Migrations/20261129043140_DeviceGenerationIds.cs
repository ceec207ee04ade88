using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class DeviceGenerationIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "GenerationId",
                table: "devices",
                type: "text",
                nullable: false,
                defaultValue: "",
                collation: "C");

            // Devices created before this column get a generation id of IoT Hub's form (18 decimal digits), as new ones do.
            migrationBuilder.Sql(
                "UPDATE devices SET \"GenerationId\" = (100000000000000000 + floor(random() * 899999999999999999))::bigint::text WHERE \"GenerationId\" = '';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "GenerationId",
                table: "devices");
        }
    }
}
