using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kiln.Storage.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class DeploymentBatching : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "BatchMaxDelayMicroseconds",
                table: "deployments",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "BatchMaxRows",
                table: "deployments",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "BatchMaxDelayMicroseconds",
                table: "deployment_revisions",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "BatchMaxRows",
                table: "deployment_revisions",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "BatchMaxDelayMicroseconds",
                table: "deployments");

            migrationBuilder.DropColumn(
                name: "BatchMaxRows",
                table: "deployments");

            migrationBuilder.DropColumn(
                name: "BatchMaxDelayMicroseconds",
                table: "deployment_revisions");

            migrationBuilder.DropColumn(
                name: "BatchMaxRows",
                table: "deployment_revisions");
        }
    }
}
