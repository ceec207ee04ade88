using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.Migrations
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
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            // Devices created before this column get a generation id of IoT Hub's form (18 decimal digits), as new ones do.
            migrationBuilder.Sql(
                "UPDATE devices SET GenerationId = CAST(100000000000000000 + ((random() & 9223372036854775807) % 900000000000000000) AS TEXT) WHERE GenerationId = '';");
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
