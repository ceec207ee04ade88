using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Centrum.Storage.PostgreSql.Migrations;

/// <summary>
/// The device list's order indexes on PostgreSQL (see the SQLite migration of the same name). The last connection is
/// left out: its text form (<c>timestamptz::text</c>) depends on the session's TimeZone, so PostgreSQL refuses to index
/// it (PostgreSQL documentation, "Indexes on Expressions": only immutable functions), and that order sorts.
/// </summary>
[DbContext(typeof(CentrumDbContext))]
[Migration("20261128063501_DeviceListIndexes")]
public sealed class DeviceListIndexes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql("""CREATE INDEX "IX_devices_display_name" ON "devices" ("ApplicationId", COALESCE("DisplayName", ''), "Id");""");
        migrationBuilder.Sql("""CREATE INDEX "IX_devices_template" ON "devices" ("ApplicationId", COALESCE("TemplateId", ''), "Id");""");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql("""DROP INDEX "IX_devices_display_name";""");
        migrationBuilder.Sql("""DROP INDEX "IX_devices_template";""");
    }
}
