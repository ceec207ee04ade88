using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "applications",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    HubHostName = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    IdScope = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Suspended = table.Column<bool>(type: "INTEGER", nullable: false),
                    AutoApprove = table.Column<bool>(type: "INTEGER", nullable: false),
                    TelemetryRetention = table.Column<TimeSpan>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_applications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "device_events",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    DeviceId = table.Column<string>(type: "TEXT", nullable: false),
                    ModuleId = table.Column<string>(type: "TEXT", nullable: true),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    Time = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    Data = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_device_events", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "api_tokens",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    KeyProtected = table.Column<string>(type: "TEXT", nullable: false),
                    Roles = table.Column<string>(type: "TEXT", nullable: false),
                    Expiry = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_tokens", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_api_tokens_applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "device_templates",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    ModelId = table.Column<string>(type: "TEXT", nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", nullable: true),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    Types = table.Column<string>(type: "TEXT", nullable: false),
                    CapabilityModel = table.Column<string>(type: "TEXT", nullable: false),
                    Interfaces = table.Column<string>(type: "TEXT", nullable: false),
                    ETag = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_device_templates", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_device_templates_applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "devices",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    Id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", nullable: true),
                    TemplateId = table.Column<string>(type: "TEXT", nullable: true),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    Simulated = table.Column<bool>(type: "INTEGER", nullable: false),
                    Provisioned = table.Column<bool>(type: "INTEGER", nullable: false),
                    Organizations = table.Column<string>(type: "TEXT", nullable: false),
                    PrimaryKeyProtected = table.Column<string>(type: "TEXT", nullable: false),
                    SecondaryKeyProtected = table.Column<string>(type: "TEXT", nullable: false),
                    AttestationType = table.Column<string>(type: "TEXT", nullable: true),
                    X509PrimaryThumbprint = table.Column<string>(type: "TEXT", nullable: true),
                    X509SecondaryThumbprint = table.Column<string>(type: "TEXT", nullable: true),
                    Approved = table.Column<bool>(type: "INTEGER", nullable: false),
                    EnrollmentGroupId = table.Column<string>(type: "TEXT", nullable: true),
                    ModelId = table.Column<string>(type: "TEXT", nullable: true),
                    ETag = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    LastConnectTime = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    LastDisconnectTime = table.Column<DateTimeOffset>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_devices", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_devices_applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

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

            migrationBuilder.CreateTable(
                name: "mqtt_sessions",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    ClientId = table.Column<string>(type: "TEXT", nullable: false),
                    Subscriptions = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_mqtt_sessions", x => new { x.ApplicationId, x.ClientId });
                    table.ForeignKey(
                        name: "FK_mqtt_sessions_applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "c2d_messages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    DeviceId = table.Column<string>(type: "TEXT", nullable: false),
                    MessageId = table.Column<string>(type: "TEXT", nullable: false),
                    CorrelationId = table.Column<string>(type: "TEXT", nullable: true),
                    ContentType = table.Column<string>(type: "TEXT", nullable: true),
                    ContentEncoding = table.Column<string>(type: "TEXT", nullable: true),
                    Properties = table.Column<string>(type: "TEXT", nullable: false),
                    Body = table.Column<byte[]>(type: "BLOB", nullable: false),
                    EnqueuedTime = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    ExpiryTime = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    DeliveryCount = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_c2d_messages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_c2d_messages_devices_ApplicationId_DeviceId",
                        columns: x => new { x.ApplicationId, x.DeviceId },
                        principalTable: "devices",
                        principalColumns: new[] { "ApplicationId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "command_records",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    DeviceId = table.Column<string>(type: "TEXT", nullable: false),
                    ModuleId = table.Column<string>(type: "TEXT", nullable: false),
                    Component = table.Column<string>(type: "TEXT", nullable: false),
                    CommandName = table.Column<string>(type: "TEXT", nullable: false),
                    ConnectionTimeout = table.Column<int>(type: "INTEGER", nullable: false),
                    ResponseTimeout = table.Column<int>(type: "INTEGER", nullable: false),
                    Request = table.Column<string>(type: "TEXT", nullable: true),
                    Response = table.Column<string>(type: "TEXT", nullable: true),
                    ResponseCode = table.Column<int>(type: "INTEGER", nullable: true),
                    Time = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_command_records", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_command_records_devices_ApplicationId_DeviceId",
                        columns: x => new { x.ApplicationId, x.DeviceId },
                        principalTable: "devices",
                        principalColumns: new[] { "ApplicationId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "twins",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    DeviceId = table.Column<string>(type: "TEXT", nullable: false),
                    ModuleId = table.Column<string>(type: "TEXT", nullable: false),
                    Desired = table.Column<string>(type: "TEXT", nullable: false),
                    DesiredVersion = table.Column<long>(type: "INTEGER", nullable: false),
                    DesiredMetadata = table.Column<string>(type: "TEXT", nullable: false),
                    Reported = table.Column<string>(type: "TEXT", nullable: false),
                    ReportedVersion = table.Column<long>(type: "INTEGER", nullable: false),
                    ReportedMetadata = table.Column<string>(type: "TEXT", nullable: false),
                    CloudProperties = table.Column<string>(type: "TEXT", nullable: false),
                    CloudMetadata = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_twins", x => new { x.ApplicationId, x.DeviceId, x.ModuleId });
                    table.ForeignKey(
                        name: "FK_twins_devices_ApplicationId_DeviceId",
                        columns: x => new { x.ApplicationId, x.DeviceId },
                        principalTable: "devices",
                        principalColumns: new[] { "ApplicationId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_applications_HubHostName",
                table: "applications",
                column: "HubHostName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_applications_IdScope",
                table: "applications",
                column: "IdScope",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_c2d_messages_ApplicationId_DeviceId_Id",
                table: "c2d_messages",
                columns: new[] { "ApplicationId", "DeviceId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_command_records_ApplicationId_DeviceId_ModuleId_Component_CommandName_Time",
                table: "command_records",
                columns: new[] { "ApplicationId", "DeviceId", "ModuleId", "Component", "CommandName", "Time" });

            migrationBuilder.CreateIndex(
                name: "IX_device_events_ApplicationId_DeviceId_Kind",
                table: "device_events",
                columns: new[] { "ApplicationId", "DeviceId", "Kind" });

            migrationBuilder.CreateIndex(
                name: "IX_device_events_ApplicationId_Id",
                table: "device_events",
                columns: new[] { "ApplicationId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_device_templates_ApplicationId_ModelId",
                table: "device_templates",
                columns: new[] { "ApplicationId", "ModelId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_tokens");

            migrationBuilder.DropTable(
                name: "c2d_messages");

            migrationBuilder.DropTable(
                name: "command_records");

            migrationBuilder.DropTable(
                name: "device_events");

            migrationBuilder.DropTable(
                name: "device_templates");

            migrationBuilder.DropTable(
                name: "enrollment_groups");

            migrationBuilder.DropTable(
                name: "mqtt_sessions");

            migrationBuilder.DropTable(
                name: "twins");

            migrationBuilder.DropTable(
                name: "devices");

            migrationBuilder.DropTable(
                name: "applications");
        }
    }
}
