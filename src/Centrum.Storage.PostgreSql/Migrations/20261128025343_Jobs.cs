using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class Jobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    ScheduledJobId = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    RerunOf = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    DisplayName = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Description = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    GroupId = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Definition = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Organizations = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Reach = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Status = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    StatusReason = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedTicks = table.Column<long>(type: "bigint", nullable: false),
                    Start = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    End = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    TargetsReady = table.Column<bool>(type: "boolean", nullable: false),
                    TargetCursor = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Total = table.Column<int>(type: "integer", nullable: false),
                    Completed = table.Column<int>(type: "integer", nullable: false),
                    Failed = table.Column<int>(type: "integer", nullable: false),
                    CurrentBatch = table.Column<int>(type: "integer", nullable: false),
                    Revision = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_jobs", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_jobs_applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "scheduled_jobs",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    Id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DisplayName = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Description = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    GroupId = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Definition = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Schedule = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Organizations = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Reach = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    Completed = table.Column<bool>(type: "boolean", nullable: false),
                    Occurrences = table.Column<int>(type: "integer", nullable: false),
                    NextRunTicks = table.Column<long>(type: "bigint", nullable: true),
                    ETag = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_scheduled_jobs", x => new { x.ApplicationId, x.Id });
                    table.ForeignKey(
                        name: "FK_scheduled_jobs_applications_ApplicationId",
                        column: x => x.ApplicationId,
                        principalTable: "applications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "job_devices",
                columns: table => new
                {
                    ApplicationId = table.Column<string>(type: "character varying(64)", nullable: false, collation: "C"),
                    JobId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    DeviceId = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Ordinal = table.Column<int>(type: "integer", nullable: false),
                    Batch = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    Reason = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    Started = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Ended = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Awaiting = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_job_devices", x => new { x.ApplicationId, x.JobId, x.DeviceId });
                    table.ForeignKey(
                        name: "FK_job_devices_jobs_ApplicationId_JobId",
                        columns: x => new { x.ApplicationId, x.JobId },
                        principalTable: "jobs",
                        principalColumns: new[] { "ApplicationId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_job_devices_ApplicationId_JobId_Ordinal",
                table: "job_devices",
                columns: new[] { "ApplicationId", "JobId", "Ordinal" });

            migrationBuilder.CreateIndex(
                name: "IX_job_devices_ApplicationId_JobId_Status_Ordinal",
                table: "job_devices",
                columns: new[] { "ApplicationId", "JobId", "Status", "Ordinal" });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_ApplicationId_CreatedTicks",
                table: "jobs",
                columns: new[] { "ApplicationId", "CreatedTicks" });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_ApplicationId_ScheduledJobId_CreatedTicks",
                table: "jobs",
                columns: new[] { "ApplicationId", "ScheduledJobId", "CreatedTicks" });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_Status_CreatedTicks",
                table: "jobs",
                columns: new[] { "Status", "CreatedTicks" });

            migrationBuilder.CreateIndex(
                name: "IX_scheduled_jobs_NextRunTicks",
                table: "scheduled_jobs",
                column: "NextRunTicks");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "job_devices");

            migrationBuilder.DropTable(
                name: "scheduled_jobs");

            migrationBuilder.DropTable(
                name: "jobs");
        }
    }
}
