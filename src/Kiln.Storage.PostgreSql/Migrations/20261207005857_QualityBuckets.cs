using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Kiln.Storage.PostgreSql.Migrations
{
    /// <summary>
    /// Per-minute quality buckets beside the prediction log (written by hand, as the log is: see
    /// Kiln.Storage.PostgreSql.Monitoring.PostgresQualityBuckets). A database with logged predictions gets every
    /// bucket counted here and marked stale, so each is rebuilt from its rows when a report first reads it.
    /// </summary>
    public partial class QualityBuckets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE quality_buckets (
                    deployment text NOT NULL,
                    bucket bigint NOT NULL,
                    version integer NOT NULL,
                    predictions bigint NOT NULL DEFAULT 0,
                    summary bytea,
                    stale boolean NOT NULL DEFAULT false,
                    PRIMARY KEY (deployment, bucket, version));
                INSERT INTO quality_buckets (deployment, bucket, version, predictions, stale)
                SELECT deployment, (ts / 60000) * 60000, version, COUNT(*), true FROM predictions GROUP BY 1, 2, 3;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE quality_buckets;");
        }
    }
}
