using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Centrum.Storage.PostgreSql.Migrations
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
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, collation: "C"),
                    DisplayName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false, collation: "C"),
                    HubHostName = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false, collation: "C"),
                    IdScope = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, collation: "C"),
                    Suspended = table.Column<bool>(type: "boolean", nullable: false),
                    AutoApprove = table.Column<bool>(type: "boolean", nullable: false),
                    TelemetryRetention = table.Column<TimeSpan>(type: "interval", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_applications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "device_events",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ApplicationId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DeviceId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ModuleId = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Kind = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Data = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_device_events", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "roles",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    NormalizedName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    ConcurrencyStamp = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_roles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    UserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    NormalizedUserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    Email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    NormalizedEmail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    EmailConfirmed = table.Column<bool>(type: "boolean", nullable: false),
                    PasswordHash = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    SecurityStamp = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ConcurrencyStamp = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    PhoneNumber = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true, collation: "C"),
                    PhoneNumberConfirmed = table.Column<bool>(type: "boolean", nullable: false),
                    TwoFactorEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    LockoutEnd = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LockoutEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    AccessFailedCount = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_users", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "api_tokens",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    KeyProtected = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Roles = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Expiry = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                name: "application_users",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Type = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Email = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    TenantId = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ObjectId = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Roles = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ETag = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_application_users", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_application_users_applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "custom_roles",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DisplayName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Scope = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Permissions = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ETag = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_custom_roles", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_custom_roles_applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "data_export_destinations",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DisplayName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Type = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DefinitionProtected = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ETag = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_export_destinations", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_data_export_destinations_applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "data_exports",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DisplayName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    Source = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Filter = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Enrichments = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Destinations = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Start = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ETag = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_exports", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_data_exports_applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "device_templates",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ModelId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DisplayName = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Description = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Types = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CapabilityModel = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Interfaces = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ETag = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    DisplayName = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    TemplateId = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    Simulated = table.Column<bool>(type: "boolean", nullable: false),
                    Provisioned = table.Column<bool>(type: "boolean", nullable: false),
                    Organizations = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    PrimaryKeyProtected = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    SecondaryKeyProtected = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    AttestationType = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    X509PrimaryThumbprint = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    X509SecondaryThumbprint = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Approved = table.Column<bool>(type: "boolean", nullable: false),
                    EnrollmentGroupId = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ModelId = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ETag = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastConnectTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastDisconnectTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
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
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false, collation: "C"),
                    DisplayName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    Type = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    AttestationType = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    PrimaryKeyProtected = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    SecondaryKeyProtected = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    PrimaryCertificate = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    PrimaryVerified = table.Column<bool>(type: "boolean", nullable: false),
                    PrimaryVerificationCode = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    SecondaryCertificate = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    SecondaryVerified = table.Column<bool>(type: "boolean", nullable: false),
                    SecondaryVerificationCode = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ETag = table.Column<string>(type: "text", nullable: false, collation: "C")
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
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    ClientId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Subscriptions = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                name: "organizations",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DisplayName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Parent = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ETag = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_organizations", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_organizations_applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "role_claims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RoleId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ClaimType = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ClaimValue = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_role_claims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_role_claims_roles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "roles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "user_claims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ClaimType = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ClaimValue = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_user_claims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_user_claims_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "user_logins",
                columns: table => new
                {
                    LoginProvider = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    ProviderKey = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    ProviderDisplayName = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    UserId = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_user_logins", x => new { x.LoginProvider, x.ProviderKey });
                    table.ForeignKey(
                        name: "FK_user_logins_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "user_passkeys",
                columns: table => new
                {
                    CredentialId = table.Column<byte[]>(type: "bytea", maxLength: 1024, nullable: false),
                    UserId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Data = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_user_passkeys", x => x.CredentialId);
                    table.ForeignKey(
                        name: "FK_user_passkeys_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "user_roles",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    RoleId = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_user_roles", x => new { x.UserId, x.RoleId });
                    table.ForeignKey(
                        name: "FK_user_roles_roles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "roles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_user_roles_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "user_tokens",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    LoginProvider = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    Name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false, collation: "C"),
                    Value = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_user_tokens", x => new { x.UserId, x.LoginProvider, x.Name });
                    table.ForeignKey(
                        name: "FK_user_tokens_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "export_cursors",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    ExportId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DestinationId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Source = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Position = table.Column<long>(type: "bigint", nullable: false),
                    Delivered = table.Column<long>(type: "bigint", nullable: false),
                    LastExportTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_export_cursors", x => new { x.ApplicationId, x.ExportId, x.DestinationId });
                    table.ForeignKey(
                        name: "FK_export_cursors_data_exports_ApplicationId_ExportId",
                        columns: x => new { x.ApplicationId, x.ExportId },
                        principalTable: "data_exports",
                        principalColumns: new[] { "ApplicationId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "c2d_messages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    DeviceId = table.Column<string>(type: "character varying(128)", nullable: false, collation: "C"),
                    MessageId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CorrelationId = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ContentType = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ContentEncoding = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Properties = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Body = table.Column<byte[]>(type: "bytea", nullable: false),
                    EnqueuedTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiryTime = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DeliveryCount = table.Column<int>(type: "integer", nullable: false)
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
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DeviceId = table.Column<string>(type: "character varying(128)", nullable: false, collation: "C"),
                    ModuleId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Component = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CommandName = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ConnectionTimeout = table.Column<int>(type: "integer", nullable: false),
                    ResponseTimeout = table.Column<int>(type: "integer", nullable: false),
                    Request = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Response = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    ResponseCode = table.Column<int>(type: "integer", nullable: true),
                    Time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    DeviceId = table.Column<string>(type: "character varying(128)", nullable: false, collation: "C"),
                    ModuleId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Desired = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DesiredVersion = table.Column<long>(type: "bigint", nullable: false),
                    DesiredMetadata = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Reported = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ReportedVersion = table.Column<long>(type: "bigint", nullable: false),
                    ReportedMetadata = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CloudProperties = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CloudMetadata = table.Column<string>(type: "text", nullable: false, collation: "C")
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
                name: "IX_application_users_ApplicationId_Email",
                table: "application_users",
                columns: new[] { "ApplicationId", "Email" });

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
                name: "IX_command_records_ApplicationId_DeviceId_ModuleId_Component_C~",
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

            migrationBuilder.CreateIndex(
                name: "IX_organizations_ApplicationId_Parent",
                table: "organizations",
                columns: new[] { "ApplicationId", "Parent" });

            migrationBuilder.CreateIndex(
                name: "IX_role_claims_RoleId",
                table: "role_claims",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "RoleNameIndex",
                table: "roles",
                column: "NormalizedName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_user_claims_UserId",
                table: "user_claims",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_user_logins_UserId",
                table: "user_logins",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_user_passkeys_UserId",
                table: "user_passkeys",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_user_roles_RoleId",
                table: "user_roles",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "EmailIndex",
                table: "users",
                column: "NormalizedEmail");

            migrationBuilder.CreateIndex(
                name: "UserNameIndex",
                table: "users",
                column: "NormalizedUserName",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_tokens");

            migrationBuilder.DropTable(
                name: "application_users");

            migrationBuilder.DropTable(
                name: "c2d_messages");

            migrationBuilder.DropTable(
                name: "command_records");

            migrationBuilder.DropTable(
                name: "custom_roles");

            migrationBuilder.DropTable(
                name: "data_export_destinations");

            migrationBuilder.DropTable(
                name: "device_events");

            migrationBuilder.DropTable(
                name: "device_templates");

            migrationBuilder.DropTable(
                name: "enrollment_groups");

            migrationBuilder.DropTable(
                name: "export_cursors");

            migrationBuilder.DropTable(
                name: "mqtt_sessions");

            migrationBuilder.DropTable(
                name: "organizations");

            migrationBuilder.DropTable(
                name: "role_claims");

            migrationBuilder.DropTable(
                name: "twins");

            migrationBuilder.DropTable(
                name: "user_claims");

            migrationBuilder.DropTable(
                name: "user_logins");

            migrationBuilder.DropTable(
                name: "user_passkeys");

            migrationBuilder.DropTable(
                name: "user_roles");

            migrationBuilder.DropTable(
                name: "user_tokens");

            migrationBuilder.DropTable(
                name: "data_exports");

            migrationBuilder.DropTable(
                name: "devices");

            migrationBuilder.DropTable(
                name: "roles");

            migrationBuilder.DropTable(
                name: "users");

            migrationBuilder.DropTable(
                name: "applications");
        }
    }
}
