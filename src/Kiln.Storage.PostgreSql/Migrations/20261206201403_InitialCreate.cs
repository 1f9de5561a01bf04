using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Kiln.Storage.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alert_rules",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Deployment = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Threshold = table.Column<double>(type: "double precision", nullable: false),
                    Comparison = table.Column<int>(type: "integer", nullable: false),
                    WindowMs = table.Column<long>(type: "bigint", nullable: false),
                    ForMs = table.Column<long>(type: "bigint", nullable: false),
                    Metric = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    Feature = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Severity = table.Column<int>(type: "integer", nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    Webhooks = table.Column<string>(type: "text", nullable: false),
                    Description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alert_rules", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "alert_states",
                columns: table => new
                {
                    RuleId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Deployment = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    RuleName = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Severity = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    Value = table.Column<double>(type: "double precision", nullable: true),
                    Threshold = table.Column<double>(type: "double precision", nullable: false),
                    Description = table.Column<string>(type: "text", nullable: false),
                    Since = table.Column<long>(type: "bigint", nullable: false),
                    ActiveAt = table.Column<long>(type: "bigint", nullable: true),
                    FiredAt = table.Column<long>(type: "bigint", nullable: true),
                    ResolvedAt = table.Column<long>(type: "bigint", nullable: true),
                    EvaluatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alert_states", x => new { x.RuleId, x.Deployment });
                });

            migrationBuilder.CreateTable(
                name: "alert_transitions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RuleId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    RuleName = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Deployment = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    Severity = table.Column<int>(type: "integer", nullable: false),
                    FromStatus = table.Column<int>(type: "integer", nullable: false),
                    ToStatus = table.Column<int>(type: "integer", nullable: false),
                    Value = table.Column<double>(type: "double precision", nullable: true),
                    Threshold = table.Column<double>(type: "double precision", nullable: false),
                    Description = table.Column<string>(type: "text", nullable: false),
                    At = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alert_transitions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Role = table.Column<int>(type: "integer", nullable: false),
                    Prefix = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    RevokedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "deployment_revisions",
                columns: table => new
                {
                    DeploymentName = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    Actor = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Change = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Reason = table.Column<string>(type: "text", nullable: false),
                    VariantsJson = table.Column<string>(type: "text", nullable: false),
                    LogSampleRate = table.Column<double>(type: "double precision", nullable: false),
                    RoutingField = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deployment_revisions", x => new { x.DeploymentName, x.Number });
                });

            migrationBuilder.CreateTable(
                name: "deployments",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    VariantsJson = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    Revision = table.Column<int>(type: "integer", nullable: false),
                    LogSampleRate = table.Column<double>(type: "double precision", nullable: false, defaultValue: 1.0),
                    RoutingField = table.Column<string>(type: "text", nullable: true),
                    CanaryJson = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deployments", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "experiments",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ArtifactLocation = table.Column<string>(type: "text", nullable: false),
                    LifecycleStage = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    TagsJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_experiments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "leases",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Holder = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    AcquiredAt = table.Column<long>(type: "bigint", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_leases", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "models",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false),
                    LatestVersion = table.Column<int>(type: "integer", nullable: false),
                    TagsJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_models", x => x.Name);
                });

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

            migrationBuilder.CreateTable(
                name: "runs",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ExperimentId = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    StartTime = table.Column<long>(type: "bigint", nullable: false),
                    EndTime = table.Column<long>(type: "bigint", nullable: true),
                    LifecycleStage = table.Column<string>(type: "text", nullable: false),
                    ArtifactUri = table.Column<string>(type: "text", nullable: false),
                    TagsJson = table.Column<string>(type: "text", nullable: false),
                    InputsJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_runs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_runs_experiments_ExperimentId",
                        column: x => x.ExperimentId,
                        principalTable: "experiments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "model_versions",
                columns: table => new
                {
                    ModelName = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    ManifestJson = table.Column<string>(type: "text", nullable: false),
                    TagsJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_versions", x => new { x.ModelName, x.Version });
                    table.ForeignKey(
                        name: "FK_model_versions_models_ModelName",
                        column: x => x.ModelName,
                        principalTable: "models",
                        principalColumn: "Name",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "run_artifacts",
                columns: table => new
                {
                    RunId = table.Column<string>(type: "character varying(32)", nullable: false),
                    Path = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    Sha256 = table.Column<string>(type: "text", nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_artifacts", x => new { x.RunId, x.Path });
                    table.ForeignKey(
                        name: "FK_run_artifacts_runs_RunId",
                        column: x => x.RunId,
                        principalTable: "runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "run_latest_metrics",
                columns: table => new
                {
                    RunId = table.Column<string>(type: "character varying(32)", nullable: false),
                    Key = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    Value = table.Column<double>(type: "double precision", nullable: false),
                    Timestamp = table.Column<long>(type: "bigint", nullable: false),
                    Step = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_latest_metrics", x => new { x.RunId, x.Key });
                    table.ForeignKey(
                        name: "FK_run_latest_metrics_runs_RunId",
                        column: x => x.RunId,
                        principalTable: "runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "run_metrics",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RunId = table.Column<string>(type: "character varying(32)", nullable: false),
                    Key = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    Value = table.Column<double>(type: "double precision", nullable: false),
                    Timestamp = table.Column<long>(type: "bigint", nullable: false),
                    Step = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_metrics", x => x.Id);
                    table.ForeignKey(
                        name: "FK_run_metrics_runs_RunId",
                        column: x => x.RunId,
                        principalTable: "runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "run_params",
                columns: table => new
                {
                    RunId = table.Column<string>(type: "character varying(32)", nullable: false),
                    Key = table.Column<string>(type: "character varying(250)", maxLength: 250, nullable: false),
                    Value = table.Column<string>(type: "character varying(6000)", maxLength: 6000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_params", x => new { x.RunId, x.Key });
                    table.ForeignKey(
                        name: "FK_run_params_runs_RunId",
                        column: x => x.RunId,
                        principalTable: "runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "model_aliases",
                columns: table => new
                {
                    ModelName = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Alias = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_aliases", x => new { x.ModelName, x.Alias });
                    table.ForeignKey(
                        name: "FK_model_aliases_model_versions_ModelName_Version",
                        columns: x => new { x.ModelName, x.Version },
                        principalTable: "model_versions",
                        principalColumns: new[] { "ModelName", "Version" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_alert_transitions_At",
                table: "alert_transitions",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_alert_transitions_Deployment_At",
                table: "alert_transitions",
                columns: new[] { "Deployment", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_api_keys_Hash",
                table: "api_keys",
                column: "Hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_experiments_Name",
                table: "experiments",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_model_aliases_ModelName_Version",
                table: "model_aliases",
                columns: new[] { "ModelName", "Version" });

            migrationBuilder.CreateIndex(
                name: "IX_run_metrics_RunId_Key_Step",
                table: "run_metrics",
                columns: new[] { "RunId", "Key", "Step" });

            migrationBuilder.CreateIndex(
                name: "IX_runs_ExperimentId_StartTime",
                table: "runs",
                columns: new[] { "ExperimentId", "StartTime" });

            migrationBuilder.CreateIndex(
                name: "IX_traffic_shares_WrittenAt",
                table: "traffic_shares",
                column: "WrittenAt");

            // The monitoring store's tables, written by hand: they are not part of the EF model because the
            // prediction log is written by binary COPY and read with plain SQL (Kiln.Storage.PostgreSql.Monitoring).
            // Indexes as on SQLite: (deployment, ts, version) for ranges and per-window counts; a partial index of
            // labelled rows covering every column quality reads; (deployment, request_id, row) for the label join.
            // Sketches carry the replica that wrote them, so replicas never overwrite each other's minute.
            migrationBuilder.Sql("""
                CREATE TABLE predictions (
                    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    ts bigint NOT NULL,
                    deployment text NOT NULL,
                    variant text NOT NULL,
                    model text NOT NULL,
                    version integer NOT NULL,
                    request_id text NOT NULL,
                    "row" integer NOT NULL,
                    latency_ms double precision NOT NULL,
                    prediction text,
                    score double precision,
                    positive_label text,
                    inputs text NOT NULL,
                    outputs text NOT NULL,
                    label text,
                    label_num double precision,
                    labelled_at bigint);
                CREATE INDEX ix_predictions_deployment_ts_version ON predictions (deployment, ts, version);
                CREATE INDEX ix_predictions_labelled ON predictions (deployment, ts, version)
                    INCLUDE (labelled_at, score, label_num, prediction, positive_label, label) WHERE label IS NOT NULL;
                CREATE INDEX ix_predictions_request ON predictions (deployment, request_id, "row");
                CREATE TABLE profile_sketches (
                    deployment text NOT NULL,
                    model text NOT NULL,
                    version integer NOT NULL,
                    bucket bigint NOT NULL,
                    replica text NOT NULL,
                    rows bigint NOT NULL,
                    data bytea NOT NULL,
                    PRIMARY KEY (deployment, model, version, bucket, replica));
                CREATE TABLE custom_metrics (
                    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    ts bigint NOT NULL,
                    deployment text NOT NULL,
                    name text NOT NULL,
                    value double precision NOT NULL,
                    request_id text,
                    "row" integer);
                CREATE INDEX ix_custom_metrics ON custom_metrics (deployment, name, ts);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE custom_metrics; DROP TABLE profile_sketches; DROP TABLE predictions;");

            migrationBuilder.DropTable(
                name: "alert_rules");

            migrationBuilder.DropTable(
                name: "alert_states");

            migrationBuilder.DropTable(
                name: "alert_transitions");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "deployment_revisions");

            migrationBuilder.DropTable(
                name: "deployments");

            migrationBuilder.DropTable(
                name: "leases");

            migrationBuilder.DropTable(
                name: "model_aliases");

            migrationBuilder.DropTable(
                name: "run_artifacts");

            migrationBuilder.DropTable(
                name: "run_latest_metrics");

            migrationBuilder.DropTable(
                name: "run_metrics");

            migrationBuilder.DropTable(
                name: "run_params");

            migrationBuilder.DropTable(
                name: "traffic_shares");

            migrationBuilder.DropTable(
                name: "model_versions");

            migrationBuilder.DropTable(
                name: "runs");

            migrationBuilder.DropTable(
                name: "models");

            migrationBuilder.DropTable(
                name: "experiments");
        }
    }
}
