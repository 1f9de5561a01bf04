using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kiln.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DeploymentRevisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CanaryJson",
                table: "deployments",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RoutingField",
                table: "deployments",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "deployment_revisions",
                columns: table => new
                {
                    DeploymentName = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Change = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", nullable: false),
                    VariantsJson = table.Column<string>(type: "TEXT", nullable: false),
                    LogSampleRate = table.Column<double>(type: "REAL", nullable: false),
                    RoutingField = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deployment_revisions", x => new { x.DeploymentName, x.Number });
                });

            // Existing deployments start their history with the revision they are at.
            migrationBuilder.Sql("""
                INSERT INTO deployment_revisions (DeploymentName, Number, CreatedAt, Actor, Change, Reason, VariantsJson, LogSampleRate, RoutingField)
                SELECT Name, Revision, UpdatedAt, 'migration', 'deploy', 'Recorded when revision history was introduced; earlier revisions were not kept.', VariantsJson, LogSampleRate, NULL
                FROM deployments
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deployment_revisions");

            migrationBuilder.DropColumn(
                name: "CanaryJson",
                table: "deployments");

            migrationBuilder.DropColumn(
                name: "RoutingField",
                table: "deployments");
        }
    }
}
