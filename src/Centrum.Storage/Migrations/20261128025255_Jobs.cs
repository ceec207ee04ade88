using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Centrum.Storage.Migrations
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
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    ScheduledJobId = table.Column<string>(type: "TEXT", nullable: true),
                    RerunOf = table.Column<string>(type: "TEXT", nullable: true),
                    DisplayName = table.Column<string>(type: "TEXT", nullable: true),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    GroupId = table.Column<string>(type: "TEXT", nullable: true),
                    Definition = table.Column<string>(type: "TEXT", nullable: false),
                    Organizations = table.Column<string>(type: "TEXT", nullable: false),
                    Reach = table.Column<string>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", nullable: false),
                    StatusReason = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    CreatedTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    Start = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    End = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    TargetsReady = table.Column<bool>(type: "INTEGER", nullable: false),
                    TargetCursor = table.Column<string>(type: "TEXT", nullable: true),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Completed = table.Column<int>(type: "INTEGER", nullable: false),
                    Failed = table.Column<int>(type: "INTEGER", nullable: false),
                    CurrentBatch = table.Column<int>(type: "INTEGER", nullable: false),
                    Revision = table.Column<long>(type: "INTEGER", nullable: false)
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
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    Id = table.Column<string>(type: "TEXT", nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", nullable: true),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    GroupId = table.Column<string>(type: "TEXT", nullable: true),
                    Definition = table.Column<string>(type: "TEXT", nullable: false),
                    Schedule = table.Column<string>(type: "TEXT", nullable: false),
                    Organizations = table.Column<string>(type: "TEXT", nullable: false),
                    Reach = table.Column<string>(type: "TEXT", nullable: true),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    Completed = table.Column<bool>(type: "INTEGER", nullable: false),
                    Occurrences = table.Column<int>(type: "INTEGER", nullable: false),
                    NextRunTicks = table.Column<long>(type: "INTEGER", nullable: true),
                    ETag = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
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
                    ApplicationId = table.Column<string>(type: "TEXT", nullable: false),
                    JobId = table.Column<string>(type: "TEXT", nullable: false),
                    DeviceId = table.Column<string>(type: "TEXT", nullable: false),
                    Ordinal = table.Column<int>(type: "INTEGER", nullable: false),
                    Batch = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", nullable: true),
                    Started = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    Ended = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    Awaiting = table.Column<string>(type: "TEXT", nullable: true)
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
