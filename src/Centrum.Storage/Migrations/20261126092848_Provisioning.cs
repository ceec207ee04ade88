using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Provisioning : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Devices and applications that exist before provisioning keep working: approved, individually enrolled, auto-approving.
            migrationBuilder.AddColumn<bool>(
                name: "Approved",
                table: "devices",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<string>(
                name: "AttestationType",
                table: "devices",
                type: "TEXT",
                nullable: true,
                defaultValue: "symmetricKey");

            migrationBuilder.AddColumn<string>(
                name: "EnrollmentGroupId",
                table: "devices",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "X509PrimaryThumbprint",
                table: "devices",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "X509SecondaryThumbprint",
                table: "devices",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "AutoApprove",
                table: "applications",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.CreateTable(
                name: "enrollment_groups",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    Id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    Type = table.Column<string>(type: "TEXT", nullable: false),
                    AttestationType = table.Column<string>(type: "TEXT", nullable: false),
                    PrimaryKeyProtected = table.Column<string>(type: "TEXT", nullable: true),
                    SecondaryKeyProtected = table.Column<string>(type: "TEXT", nullable: true),
                    PrimaryCertificate = table.Column<string>(type: "TEXT", nullable: true),
                    PrimaryVerified = table.Column<bool>(type: "INTEGER", nullable: false),
                    PrimaryVerificationCode = table.Column<string>(type: "TEXT", nullable: true),
                    SecondaryCertificate = table.Column<string>(type: "TEXT", nullable: true),
                    SecondaryVerified = table.Column<bool>(type: "INTEGER", nullable: false),
                    SecondaryVerificationCode = table.Column<string>(type: "TEXT", nullable: true),
                    ETag = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_enrollment_groups", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_enrollment_groups_applications_ApplicationId",
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
                name: "enrollment_groups");

            migrationBuilder.DropColumn(
                name: "Approved",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "AttestationType",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "EnrollmentGroupId",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "X509PrimaryThumbprint",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "X509SecondaryThumbprint",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "AutoApprove",
                table: "applications");
        }
    }
}
