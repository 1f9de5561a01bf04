using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Kiln.Client;
using Kiln.Core.Monitoring;
using Kiln.Monitoring.Sketches;
using Kiln.ReportBench;
using Kiln.Server;
using Kiln.Storage.Monitoring;
using Kiln.Storage.PostgreSql;
using Kiln.Storage.PostgreSql.Monitoring;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// P6: the drift + quality report over 1M logged predictions, timed over HTTP against a real in-process server.
//   Kiln.ReportBench --model gbt_sklearn.onnx [--minutes 1000] [--rows-per-minute 1000] [--labelled 0.7] [--runs 5] [--keep]
//   Kiln.ReportBench --store postgres --database "<Npgsql connection string of a server>" --model ...   (a fresh database there, dropped unless --keep)
//   Kiln.ReportBench --model ... --dashboard     (then also 10,000 runs, and every dashboard page timed on that data)
//   Kiln.ReportBench --db KEPT/monitoring.db [--runs 5]     (stage times only, on a kept data dir)
//   Kiln.ReportBench --db "<connection string of a kept PostgreSQL database>" [--runs 5]
var options = BenchOptions.Parse(args);
if (options.Database is { } existing)
{
    // Stage times only, on a data dir or database kept by an earlier run (--keep): for trying a change to the stores.
    var reference = ReferenceProfile(["age", "balance", "day", "duration", "campaign", "pdays", "previous"]).ToDataProfile();
    if (PostgresConnectionString.IsPostgres(existing))
    {
        var connectionString = PostgresConnectionString.Parse(existing);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var (since, until) = await PostgresReports.LoggedRangeAsync(connectionString);
        await Splits.RunAsync(new PostgresGroundTruth(dataSource), new PostgresSketchStore(dataSource, "report-bench"), reference, "gbt", since, until, options.Runs,
            () => PostgresReports.PlanAsync(connectionString, "gbt", since, until));
        return 0;
    }

    var kept = new MonitoringDatabase(existing);
    var (first, last) = await LoggedRangeAsync(kept);
    await Splits.RunAsync(new SqliteGroundTruth(kept), new SqliteSketchStore(kept), reference, "gbt", first, last, options.Runs,
        () => Splits.SqlitePlanAsync(kept, "gbt", first, last));
    return 0;
}

var postgres = options.Store == "postgres" ? await PostgresReports.CreateDatabaseAsync(options.Server!) : null;
var dataDir = Path.Combine(Path.GetTempPath(), "kiln-p6-" + Guid.NewGuid().ToString("N")[..8]);
var port = FreePort();
var url = $"http://127.0.0.1:{port}";
Console.WriteLine($"# data dir {dataDir}, server {url}, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");
Console.WriteLine($"# store: {(postgres is null ? "SQLite monitoring.db in the data dir" : "PostgreSQL " + PostgresConnectionString.Redact(postgres))}");

// On PostgreSQL the server migrates the fresh database at start (MigrateOnStart, the default), as `kiln serve` does.
var app = KilnServer.Build([], new Dictionary<string, string?>
{
    ["urls"] = url,
    ["Kiln:Storage:DataDir"] = dataDir,
    ["Kiln:Storage:Database"] = postgres,
    ["Kiln:Auth:Enabled"] = "false",
    ["Logging:LogLevel:Default"] = "Warning",
    ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
});
await app.StartAsync();
var exit = 0;
try
{
    using var client = new KilnClient(new Uri(url + "/"));
    var registered = await client.RegisterAsync("gbt", options.ModelPath, new RegisterOptions { FeatureNames = ["age", "balance", "day", "duration", "campaign", "pdays", "previous"] });
    await client.DeployAsync("gbt", $"gbt/{registered.Version}");
    var signature = registered.Manifest.Signature ?? throw new InvalidOperationException("The registered model has no signature.");

    var profile = ReferenceProfile(signature.Inputs[0].Columns!);
    await client.SetProfileAsync("gbt", registered.Version, profile.ToDataProfile());

    // One real scored request, so the log's row shape can be compared with the harness's rows.
    using var http = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromMinutes(5) };
    using (var probe = await http.PostAsync("v2/models/gbt/infer", new StringContent(
        """{"id":"probe","inputs":[{"name":"float_input","shape":[1,7],"datatype":"FP32","data":[41,1200,5,300,2,-1,0]}]}""", Encoding.UTF8, "application/json")))
    {
        probe.EnsureSuccessStatusCode();
    }

    await http.GetAsync("api/deployments/gbt/quality?since=1h"); // flushes the writer
    var logged = (await client.GetPredictionsAsync("gbt", limit: 1)).Predictions.Single();
    Console.WriteLine($"# served row: prediction={logged.Prediction} score={logged.Score} inputs={logged.Inputs.GetRawText()} outputs={logged.Outputs.GetRawText()}");

    // The range ends 10 minutes before now, so it holds only the harness's rows.
    var now = DateTimeOffset.UtcNow;
    var end = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(-10);
    var start = end.AddMinutes(-options.Minutes);
    // The stores the server resolved for its database setting: SQLite's monitoring.db, or the PostgreSQL database.
    var log = app.Services.GetRequiredService<IPredictionLogStore>();
    var truth = app.Services.GetRequiredService<IGroundTruthStore>();
    var sketches = app.Services.GetRequiredService<ISketchStore>();
    var filler = new LogFiller(log, truth, sketches, signature, "gbt", "gbt", registered.Version);
    var fill = await filler.FillAsync(start, options.Minutes, options.RowsPerMinute, options.Labelled, new Traffic(seed: 2, driftFromMinute: options.Minutes * 7 / 10), TimeSpan.FromMinutes(1));
    Console.WriteLine($"# filled {fill.RowCount:N0} rows in {fill.Rows.TotalSeconds:0.0} s ({log.GetType().Name}.AppendAsync, batches of {LogFiller.AppendBatch}), " +
        $"{options.Minutes} sketches in {fill.Sketches.TotalSeconds:0.0} s (LiveProfiles), {fill.Labelled:N0} labels in {fill.Labels.TotalSeconds:0.0} s ({truth.GetType().Name}.ApplyAsync, batches of {LogFiller.LabelBatch})");
    if (postgres is not null)
    {
        Console.WriteLine($"# VACUUM ANALYZE in {(await PostgresReports.VacuumAnalyzeAsync(postgres)).TotalSeconds:0.0} s");
    }

    var check = (await client.GetPredictionsAsync("gbt", since: Iso(start), until: Iso(end), limit: 1)).Predictions.Single();
    Console.WriteLine($"# harness row: prediction={check.Prediction} score={check.Score} inputs={check.Inputs.GetRawText()} outputs={check.Outputs.GetRawText()} label={check.Label}");
    var monitoringDb = Path.Combine(dataDir, "monitoring.db");
    Console.WriteLine(postgres is null
        ? $"# monitoring.db {new FileInfo(monitoringDb).Length / 1e6:0} MB + WAL {new FileInfo(monitoringDb + "-wal").Length / 1e6:0} MB"
        : $"# {await PostgresReports.DescribeAsync(postgres)}");

    var range = $"since={Iso(start)}&until={Iso(end)}";
    var half = $"since={Iso(start.AddMinutes(options.Minutes / 2))}&until={Iso(end)}";
    var timer = new ReportTimer(http, options.Runs);
    var results = new List<ReportTimer.Result>
    {
        await timer.TimeAsync("quality, window=1h, full range", [$"api/deployments/gbt/quality?{range}&window=1h"]),
        await timer.TimeAsync("drift, full range", [$"api/deployments/gbt/drift?{range}"]),
        await timer.TimeAsync("P6: quality 1h + drift, back to back", [$"api/deployments/gbt/quality?{range}&window=1h", $"api/deployments/gbt/drift?{range}"]),
        await timer.TimeAsync("quality, window=1d, full range", [$"api/deployments/gbt/quality?{range}&window=1d"]),
        await timer.TimeAsync("quality, last=100000", [$"api/deployments/gbt/quality?{range}&last=100000"]),
        await timer.TimeAsync("drift, second half (prediction drift on)", [$"api/deployments/gbt/drift?{half}"]),
    };

    Console.WriteLine();
    Console.WriteLine($"| request | runs | min ms | median ms | max ms | response |");
    Console.WriteLine($"|---|---|---|---|---|---|");
    foreach (var result in results)
    {
        Console.WriteLine(result.Row());
    }

    Console.WriteLine();
    var quality = app.Services.GetRequiredService<IQualityDataSource>();
    await Splits.RunAsync(quality, sketches, profile.ToDataProfile(), "gbt", start, end, options.Runs, postgres is null
        ? () => Splits.SqlitePlanAsync(new MonitoringDatabase(monitoringDb), "gbt", start, end)
        : () => PostgresReports.PlanAsync(postgres, "gbt", start, end));
    var p6 = results[2];
    Console.WriteLine($"# P6 median {p6.Median:0} ms: {(p6.Median <= 1000 ? "met" : "NOT met")} (target ≤ 1000 ms); load average after {File.ReadAllText("/proc/loadavg").Trim()}");
    if (options.Dashboard)
    {
        // The dashboard on the same 1M predictions, with 10,000 runs added.
        var (longRun, compared, seeded) = await DashboardPages.SeedRunsAsync(app.Services.GetRequiredService<Kiln.Core.Tracking.ITrackingStore>());
        Console.WriteLine($"# seeded {DashboardPages.Runs:N0} runs (one with a {DashboardPages.LongHistorySteps:N0}-step metric) in {seeded.TotalSeconds:0.0} s");
        var pages = await DashboardPages.TimeAsync(timer, "gbt", "gbt", longRun, compared);
        Console.WriteLine();
        Console.WriteLine($"| page | runs | min ms | median ms | max ms | response |");
        Console.WriteLine($"|---|---|---|---|---|---|");
        foreach (var page in pages)
        {
            Console.WriteLine(page.Row());
        }

        var slow = pages.Where(p => p.Median > 300).Select(p => p.Name).ToArray();
        Console.WriteLine($"# dashboard target (every page ≤ 300 ms median): {(slow.Length == 0 ? "met" : "NOT met by " + string.Join("; ", slow))}; load average after {File.ReadAllText("/proc/loadavg").Trim()}");
    }
}
catch (Exception e)
{
    Console.Error.WriteLine(e);
    exit = 1;
}
finally
{
    await app.StopAsync();
    await app.DisposeAsync();
    if (!options.Keep && exit == 0)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dataDir, recursive: true);
        if (postgres is not null)
        {
            await PostgresReports.DropDatabaseAsync(options.Server!, postgres);
        }
    }
    else
    {
        Console.WriteLine($"# kept {dataDir}" + (postgres is null ? "" : $" and the database {postgres}"));
    }
}

return exit;

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

// The training profile: 50,000 reference rows from the same generator, before its drift.
static ProfileSketch ReferenceProfile(IReadOnlyList<string> columns)
{
    var profile = new ProfileSketch(columns.Select(c => ColumnSketch.CreateNumeric(c)));
    var rows = new float[50_000 * Traffic.Features];
    new Traffic(seed: 1).Fill(0, rows, new float[50_000], new bool[50_000]);
    for (var r = 0; r < 50_000; r++)
    {
        for (var c = 0; c < Traffic.Features; c++)
        {
            profile.Columns[c].Numeric!.Add(rows[(r * Traffic.Features) + c]);
        }
    }

    profile.AddRows(50_000);
    return profile;
}

// The harness's rows span whole minutes: [first row's minute, last row's minute + 1).
static async Task<(DateTimeOffset, DateTimeOffset)> LoggedRangeAsync(MonitoringDatabase database)
{
    await using var connection = await database.OpenAsync(CancellationToken.None);
    using var range = connection.CreateCommand();
    range.CommandText = "SELECT MIN(ts), MAX(ts) FROM prediction_requests WHERE deployment = 'gbt' AND request_id LIKE 'p6-%'";
    await using var reader = await range.ExecuteReaderAsync();
    await reader.ReadAsync();
    return (DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), DateTimeOffset.FromUnixTimeMilliseconds((reader.GetInt64(1) / 60_000 * 60_000) + 60_000));
}

static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

internal sealed record BenchOptions(string ModelPath, int Minutes, int RowsPerMinute, double Labelled, int Runs, bool Keep, string? Database, string Store, string? Server, bool Dashboard = false)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var database = Value("--db");
        var store = Value("--store") ?? "sqlite";
        var server = Value("--database");
        if (store is not ("sqlite" or "postgres"))
        {
            throw new ArgumentException("--store is sqlite or postgres.");
        }

        if (store == "postgres" && string.IsNullOrWhiteSpace(server))
        {
            throw new ArgumentException("--store postgres needs --database \"<Npgsql connection string of a server>\" (the harness creates its own database there).");
        }

        var model = Value("--model") ?? (database is null ? throw new ArgumentException("--model PATH.onnx (gbt_sklearn.onnx) is required.") : string.Empty);
        return new BenchOptions(
            model.Length == 0 ? model : Path.GetFullPath(model),
            int.Parse(Value("--minutes") ?? "1000", CultureInfo.InvariantCulture),
            int.Parse(Value("--rows-per-minute") ?? "1000", CultureInfo.InvariantCulture),
            double.Parse(Value("--labelled") ?? "0.7", CultureInfo.InvariantCulture),
            int.Parse(Value("--runs") ?? "5", CultureInfo.InvariantCulture),
            args.Contains("--keep"),
            database,
            store,
            server is null ? null : PostgresConnectionString.Parse(server),
            args.Contains("--dashboard"));
    }
}
