using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kiln.Storage.PostgreSql.Migrations
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
                    Replica = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Deployment = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Variant = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    BucketStartMs = table.Column<long>(type: "bigint", nullable: false),
                    Counts = table.Column<byte[]>(type: "bytea", nullable: false),
                    WrittenAt = table.Column<long>(type: "bigint", nullable: false)
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
