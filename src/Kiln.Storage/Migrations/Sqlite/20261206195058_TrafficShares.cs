using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kiln.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TrafficShares : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "traffic_shares",
                columns: table => new
                {
                    Replica = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Deployment = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Variant = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    BucketStartMs = table.Column<long>(type: "INTEGER", nullable: false),
                    Counts = table.Column<byte[]>(type: "BLOB", nullable: false),
                    WrittenAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_traffic_shares", x => new { x.Replica, x.Deployment, x.Variant, x.BucketStartMs });
                });

            migrationBuilder.CreateIndex(
                name: "IX_traffic_shares_WrittenAt",
                table: "traffic_shares",
                column: "WrittenAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "traffic_shares");
        }
    }
}
