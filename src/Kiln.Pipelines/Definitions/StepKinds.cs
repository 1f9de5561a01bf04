namespace Kiln.Pipelines.Definitions;

/// <summary>The type of a step input or output, checked when a file is applied (constants) or a step starts (expressions).</summary>
public enum PipelineValueType
{
    String,
    Integer,
    Number,
    Boolean,
    Duration,
    StringList,
    IntegerList,

    /// <summary>A stored artifact (an output of a data or train step), or a path or URI naming one.</summary>
    Artifact,
}

/// <summary>An input a step kind reads from <c>with:</c>.</summary>
public sealed record StepInputSpec(string Name, PipelineValueType Type, string Description, bool Required = false, IReadOnlyList<string>? Choices = null);

/// <summary>An output a step kind produces, readable as <c>steps.NAME.outputs.OUTPUT</c>.</summary>
public sealed record StepOutputSpec(string Name, PipelineValueType Type, string Description);

/// <summary>What a step kind takes and gives, and how it behaves by default.</summary>
public sealed record StepKindSchema(
    string Name,
    string Summary,
    IReadOnlyList<StepInputSpec> Inputs,
    IReadOnlyList<StepOutputSpec> Outputs,
    bool CacheableByDefault,
    TimeSpan DefaultTimeout,
    string? Unavailable = null)
{
    public StepInputSpec? Input(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    public StepOutputSpec? Output(string name) => Outputs.FirstOrDefault(o => o.Name == name);
}

/// <summary>Every step kind of a pipeline file.</summary>
public static class StepKinds
{
    public const string Data = "data";
    public const string Train = "train";
    public const string Evaluate = "evaluate";
    public const string Register = "register";
    public const string Deploy = "deploy";
    public const string Canary = "canary";
    public const string BatchScore = "batch-score";
    public const string Approval = "approval";
    public const string Command = "command";

    private static readonly TimeSpan Hours6 = TimeSpan.FromHours(6);

    public static readonly IReadOnlyList<StepKindSchema> All =
    [
        new(Data, "A dataset: a CSV or Parquet file, the Bank Marketing generator, or a deployment's recent production rows joined with their ground truth",
            [
                new("source", PipelineValueType.String, "file, generator or production", Required: true, Choices: ["file", "generator", "production"]),
                new("path", PipelineValueType.String, "file: the .csv or .parquet file, or a folder of them, on the server (relative to its data folder)"),
                new("rows", PipelineValueType.Integer, "generator: how many rows"),
                new("seed", PipelineValueType.Integer, "generator: the seed (same seed, same rows)"),
                new("drift", PipelineValueType.Number, "generator: how far the rows drift from the original population, 0 to 1"),
                new("deployment", PipelineValueType.String, "production: the deployment whose logged rows to read"),
                new("since", PipelineValueType.Duration, "production: how far back to read (default 7d)"),
                new("limit", PipelineValueType.Integer, "production: the newest labelled rows to keep at most (default 100000)"),
                new("label", PipelineValueType.String, "production: the name of the label column (default: the model's label)"),
                new("merge", PipelineValueType.Artifact, "production: a dataset to append the production rows to (e.g. the original training set)"),
                new("holdout", PipelineValueType.Number, "production: the share of production rows set aside (not merged, not in dataset) for a fair evaluate step, 0 to 0.9"),
            ],
            [
                new("dataset", PipelineValueType.Artifact, "the rows, stored as a content-addressed CSV artifact"),
                new("rows", PipelineValueType.Integer, "how many rows"),
                new("digest", PipelineValueType.String, "the dataset's content digest"),
                new("holdout", PipelineValueType.Artifact, "production with holdout: the production rows set aside, which neither a model trained on this dataset nor the champion has seen"),
            ],
            CacheableByDefault: true, Hours6),
        new(Train, "The built-in sweep (as kiln train): every trial a tracked run; the best trial's model package",
            [
                new("data", PipelineValueType.Artifact, "the training data (a data step's dataset, or a path)", Required: true),
                new("label", PipelineValueType.String, "the column to predict", Required: true),
                new("task", PipelineValueType.String, "binary, multiclass or regression (default: inferred)", Choices: ["binary", "multiclass", "regression"]),
                new("algorithms", PipelineValueType.StringList, "logreg, fasttree, lightgbm (default: all)"),
                new("trials", PipelineValueType.Integer, "trials across the algorithms (default 6)"),
                new("seed", PipelineValueType.Integer, "seed for the split and the trainers (default 1)"),
                new("experiment", PipelineValueType.String, "the experiment to log runs in (default: the pipeline's name)"),
                new("exclude_columns", PipelineValueType.StringList, "columns to leave out"),
            ],
            [
                new("run_id", PipelineValueType.String, "the tracking run of the best trial"),
                new("package", PipelineValueType.Artifact, "the best trial's model package"),
                new("metric", PipelineValueType.String, "the primary metric of the sweep"),
                new("score", PipelineValueType.Number, "the best trial's value of that metric"),
                new("algorithm", PipelineValueType.String, "the best trial's algorithm"),
                new("holdout", PipelineValueType.Artifact, "the validation rows no trial trained on (CSV), for a fair evaluate step"),
            ],
            CacheableByDefault: true, Hours6),
        new(Evaluate, "The candidate against the current champion on the same held-out rows, with a minimum gain and a significance test",
            [
                new("candidate", PipelineValueType.Artifact, "the candidate model package (a train step's package)", Required: true),
                new("champion", PipelineValueType.String, "the champion as MODEL@ALIAS or MODEL/VERSION; when it does not exist the candidate passes", Required: true),
                new("data", PipelineValueType.Artifact, "the held-out rows both are scored on", Required: true),
                new("label", PipelineValueType.String, "the label column of data", Required: true),
                new("metric", PipelineValueType.String, "the metric compared (default: auc for binary, accuracy for multiclass, rmse for regression)"),
                new("min_gain", PipelineValueType.Number, "how much better the candidate must be (default 0)"),
                new("alpha", PipelineValueType.Number, "the significance level of the test (default 0.05)"),
            ],
            [
                new("passed", PipelineValueType.Boolean, "true when the candidate beats the champion by min_gain, significantly"),
                new("candidate_score", PipelineValueType.Number, "the candidate's metric"),
                new("champion_score", PipelineValueType.Number, "the champion's metric (null when there is no champion)"),
                new("gain", PipelineValueType.Number, "candidate minus champion, oriented so that more is better"),
                new("p_value", PipelineValueType.Number, "the test's p-value"),
                new("rows", PipelineValueType.Integer, "how many held-out rows"),
            ],
            CacheableByDefault: true, Hours6),
        new(Register, "A new model version with lineage to the pipeline run, its data and its training run; optionally sets an alias",
            [
                new("model", PipelineValueType.String, "the registered model's name", Required: true),
                new("package", PipelineValueType.Artifact, "the model package (a train step's package)", Required: true),
                new("run_id", PipelineValueType.String, "the training run, for lineage"),
                new("alias", PipelineValueType.String, "an alias to point at the new version"),
                new("description", PipelineValueType.String, "the version's description"),
            ],
            [
                new("model", PipelineValueType.String, "the model's name"),
                new("version", PipelineValueType.Integer, "the new version"),
                new("reference", PipelineValueType.String, "MODEL/VERSION"),
            ],
            CacheableByDefault: false, TimeSpan.FromHours(1)),
        new(Deploy, "A direct deploy: the deployment serves the version with all its traffic",
            [
                new("deployment", PipelineValueType.String, "the deployment (created when missing)", Required: true),
                new("model", PipelineValueType.String, "the model", Required: true),
                new("version", PipelineValueType.Integer, "the version", Required: true),
            ],
            [
                new("deployment", PipelineValueType.String, "the deployment"),
                new("revision", PipelineValueType.Integer, "the deployment's new revision"),
            ],
            CacheableByDefault: false, TimeSpan.FromHours(1)),
        new(Canary, "A canary with automated analysis; the step waits for its outcome, promoted or rolled back",
            [
                new("deployment", PipelineValueType.String, "the deployment", Required: true),
                new("model", PipelineValueType.String, "the model", Required: true),
                new("version", PipelineValueType.Integer, "the candidate version", Required: true),
                new("steps", PipelineValueType.IntegerList, "traffic percentages of the canary (default: the server's canary policy)"),
                new("interval", PipelineValueType.Duration, "how long each step is judged (default: the server's canary policy)"),
                new("min_requests", PipelineValueType.Integer, "requests each variant needs in a step before it is judged (default: the server's canary policy)"),
                new("min_labels", PipelineValueType.Integer, "labelled predictions each variant needs before quality is judged (default: the server's canary policy)"),
                new("promote_alias", PipelineValueType.String, "an alias of the model to move to the candidate when it is promoted (e.g. champion)"),
                new("fail_on_rollback", PipelineValueType.Boolean, "fail the step when the canary is rolled back (default false: the outcome is an output)"),
            ],
            [
                new("outcome", PipelineValueType.String, "promoted or rolled_back"),
                new("promoted", PipelineValueType.Boolean, "true when the candidate was promoted"),
                new("reason", PipelineValueType.String, "why the analysis decided as it did"),
            ],
            CacheableByDefault: false, TimeSpan.FromHours(24)),
        new(BatchScore, "Scores a file or folder (CSV or Parquet) with a registered version, as kiln batch does, in the server",
            [
                new("model", PipelineValueType.String, "the model: NAME@ALIAS, NAME/VERSION, or NAME with version", Required: true),
                new("version", PipelineValueType.Integer, "the version, with a plain model name"),
                new("input", PipelineValueType.Artifact, "the rows to score: a data step's dataset, or a .csv/.parquet file or folder the steps may read", Required: true),
                new("format", PipelineValueType.String, "the output's format (default csv)", Choices: ["csv", "parquet"]),
                new("keep_columns", PipelineValueType.StringList, "input columns copied beside the scores (an id, say)"),
                new("on_error", PipelineValueType.String, "a bad row: fail the step (default) or skip it and count it", Choices: ["fail", "skip"]),
                new("log", PipelineValueType.String, "a deployment whose prediction log takes the scored rows (variant batch)"),
                new("log_sample", PipelineValueType.Number, "with log: the share of rows logged, 0 to 1 (default: the deployment's rate)"),
            ],
            [
                new("predictions", PipelineValueType.Artifact, "the scored rows: request_id, row, model_version, the kept columns and every output"),
                new("rows", PipelineValueType.Integer, "rows read"),
                new("scored", PipelineValueType.Integer, "rows scored"),
                new("bad_rows", PipelineValueType.Integer, "rows not scored (on_error: skip)"),
                new("batch_id", PipelineValueType.String, "the request_id of every output row, which ground truth addresses logged rows by"),
                new("model_version", PipelineValueType.Integer, "the version that scored the rows"),
                new("logged_rows", PipelineValueType.Integer, "rows sent to the prediction log"),
            ],
            CacheableByDefault: true, Hours6),
        new(Approval, "Waits for a person to approve or reject, through the API, the CLI or the dashboard",
            [
                new("message", PipelineValueType.String, "what the approver is asked"),
            ],
            [
                new("approved", PipelineValueType.Boolean, "true when approved (a rejection fails the step)"),
                new("by", PipelineValueType.String, "who decided"),
                new("comment", PipelineValueType.String, "the approver's comment"),
            ],
            CacheableByDefault: false, TimeSpan.FromDays(7)),
        new(Command, "Runs a program with arguments on the server, its output captured in the step's log",
            [
                new("program", PipelineValueType.String, "the program (a path, or a name on PATH)", Required: true),
                new("args", PipelineValueType.StringList, "its arguments"),
                new("working_directory", PipelineValueType.String, "where it runs (default: a fresh temporary folder)"),
            ],
            [
                new("exit_code", PipelineValueType.Integer, "the program's exit code (a non-zero code fails the step)"),
                new("stdout", PipelineValueType.String, "the last 4 KB of its standard output, trimmed"),
            ],
            CacheableByDefault: false, TimeSpan.FromHours(1)),
    ];

    /// <summary>The schema of <paramref name="kind"/>, or null when there is no such kind.</summary>
    public static StepKindSchema? Find(string kind) => All.FirstOrDefault(k => k.Name == kind);
}
