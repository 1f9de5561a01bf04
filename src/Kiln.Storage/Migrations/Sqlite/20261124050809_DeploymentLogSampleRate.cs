using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kiln.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DeploymentLogSampleRate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "LogSampleRate",
                table: "deployments",
                type: "REAL",
                nullable: false,
                defaultValue: 1.0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LogSampleRate",
                table: "deployments");
        }
    }
}
