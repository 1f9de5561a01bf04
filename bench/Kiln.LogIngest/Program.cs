using System.Diagnostics;
using System.Globalization;
using Kiln.Core.Monitoring;
using Kiln.LogIngest;
using Kiln.Monitoring.Drift;
using Kiln.Monitoring.PredictionLog;
using Microsoft.Extensions.Logging.Abstractions;

// P7 harness: N producer threads offer bank-shaped prediction records at a target rate (open loop:
// a producer that falls behind catches up, it never waits for the writer) into a PredictionLogQueue;
// one PredictionLogWriter stores them in a temp monitoring.db (--store sqlite, the default) or in a
// fresh, migrated database on a PostgreSQL server (--store postgres --database "<Npgsql connection
// string of the server>"). Then the queue is completed and drained, and the row count in the database
// is checked against what the queue accepted. --rate 0 is closed loop instead: producers wait while
// the queue is full, so nothing is dropped and the stored rate is the writer's ceiling.
var options = Args.Parse(args);
await using var database = options.Store == "postgres"
    ? await PostgresBenchDatabase.CreateAsync(options.Database!, "kiln_log_ingest_", options.KeepDb)
    : (IBenchDatabase)new SqliteBenchDatabase(options.KeepDb);
return await RunAsync(options, database);

static async Task<int> RunAsync(Args o, IBenchDatabase database)
{
    if (o.NoIndex)
    {
        await database.DropIndexesAsync();
    }

    var noop = new NoopStore();
    var store = new TimedStore(o.Store == "noop" ? noop : database.Log);
    var observers = o.LiveProfiles ? new IPredictionObserver[] { new LiveProfiles(database.Sketches, TimeSpan.FromMinutes(1)) } : [];
    var queue = new PredictionLogQueue(o.Capacity);
    var writer = new PredictionLogWriter(queue, store, observers, NullLogger<PredictionLogWriter>.Instance, o.Batch);
    var records = new BankRecords(o.RowsPerRecord);

    var started = Stopwatch.GetTimestamp();
    var writerTask = Task.Run(writer.RunAsync);
    long maxDepth = 0;
    using var sampling = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            maxDepth = Math.Max(maxDepth, queue.QueuedRows);
            await Task.Delay(5, CancellationToken.None);
        }
    });

    var offeredRecords = new long[o.Producers];
    var producers = Enumerable.Range(0, o.Producers).Select(p => new Thread(() => Produce(o, queue, records, p, started, offeredRecords)) { IsBackground = true, Name = $"producer-{p}" }).ToArray();
    foreach (var thread in producers)
    {
        thread.Start();
    }

    foreach (var thread in producers)
    {
        thread.Join();
    }

    var offeredElapsed = Stopwatch.GetElapsedTime(started);
    queue.Complete();
    await writerTask;
    var drainedElapsed = Stopwatch.GetElapsedTime(started);
    await sampling.CancelAsync();
    await sampler;

    var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;
    var serverCpu = o.Store == "postgres" ? await database.ServerCpuSecondsAsync() : null;
    long stored;
    long dbBytes = 0;
    if (o.Store == "noop")
    {
        stored = noop.Rows;
    }
    else
    {
        stored = await database.CountAsync();
        dbBytes = await database.SizeBytesAsync();
    }

    var offered = offeredRecords.Sum() * o.RowsPerRecord;
    var dropped = queue.DroppedRows;
    var failed = writer.FailedRows;
    var accepted = offered - dropped;
    var noLoss = dropped == 0 && failed == 0 && stored == offered;
    var storeShare = store.Total.TotalSeconds / drainedElapsed.TotalSeconds;
    var result = new Dictionary<string, string>
    {
        ["scenario"] = o.Name,
        ["store"] = o.Store + (o.NoIndex ? "-noindex" : "") + (o.LiveProfiles ? "+profiles" : ""),
        ["rows_per_record"] = I(o.RowsPerRecord),
        ["target_rows_s"] = o.Rate == 0 ? "closed" : I(o.Rate),
        ["offered_rows_s"] = I(offered / offeredElapsed.TotalSeconds),
        ["stored_rows_s"] = I(stored / drainedElapsed.TotalSeconds),
        ["offered_rows"] = I(offered),
        ["stored_rows"] = I(stored),
        ["dropped_rows"] = I(dropped),
        ["failed_rows"] = I(failed),
        ["max_queue_rows"] = I(maxDepth),
        ["batches"] = I(writer.Batches),
        ["drain_s"] = F(drainedElapsed.TotalSeconds - offeredElapsed.TotalSeconds),
        ["store_us_per_row"] = F(store.Total.TotalMicroseconds / Math.Max(1, stored)),
        ["store_share"] = F(storeShare),
        ["client_cpu_us_per_row"] = F(clientCpu.TotalMicroseconds / Math.Max(1, stored)),
        ["server_cpu_us_per_row"] = serverCpu is { } server ? F(server * 1e6 / Math.Max(1, stored)) : "-",
        ["slowest_batch_ms"] = F(store.Slowest.TotalMilliseconds),
        ["peak_rss_mb"] = I(PeakRssBytes() / 1048576.0),
        ["db_mb_per_million"] = stored == 0 || dbBytes == 0 ? "-" : F(dbBytes / 1048576.0 / (stored / 1e6)),
        ["gc_gen2"] = I(GC.CollectionCount(2)),
        ["no_loss"] = noLoss ? "yes" : "NO",
        ["load_avg"] = File.ReadAllText("/proc/loadavg").Split(' ')[0],
        ["db_settings"] = o.Store == "postgres" ? database.Settings : "-",
    };
    Console.WriteLine(string.Join(' ', result.Select(kv => $"{kv.Key}={kv.Value}")));
    if (accepted != stored && o.Store != "noop")
    {
        Console.Error.WriteLine($"accepted {accepted} rows but the database holds {stored}");
    }

    return noLoss || !o.RequireNoLoss ? 0 : 1;
}

static void Produce(Args o, PredictionLogQueue queue, BankRecords records, int producer, long started, long[] offered)
{
    var connection = $"0HNBENCH{producer:X2}";
    var recordsPerSecond = o.Rate / (double)o.Producers / o.RowsPerRecord;
    var duration = TimeSpan.FromSeconds(o.Seconds);
    long sent = 0;
    while (true)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (elapsed >= duration)
        {
            break;
        }

        if (o.Rate == 0)
        {
            // Closed loop: wait for room rather than drop.
            if (queue.QueuedRows + ((long)o.RowsPerRecord * o.Producers) > queue.CapacityRows)
            {
                Thread.Sleep(1);
                continue;
            }

            queue.TryEnqueue(records.Create(connection, sent++, DateTimeOffset.UtcNow));
            offered[producer] = sent;
            continue;
        }

        var due = (long)(elapsed.TotalSeconds * recordsPerSecond);
        if (sent >= due)
        {
            Thread.Sleep(1);
            continue;
        }

        var now = DateTimeOffset.UtcNow;
        while (sent < due)
        {
            queue.TryEnqueue(records.Create(connection, sent++, now));
        }

        offered[producer] = sent;
    }

    offered[producer] = sent;
}

static long PeakRssBytes()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
        }
    }

    return Environment.WorkingSet;
}

static string I(double value) => Math.Round(value).ToString("0", CultureInfo.InvariantCulture);

static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

internal sealed record Args(string Name, long Rate, int RowsPerRecord, double Seconds, int Producers, long Capacity, int Batch, string Store, string? Database, bool NoIndex, bool LiveProfiles, bool KeepDb, bool RequireNoLoss)
{
    public static Args Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        bool Has(string name) => args.Contains(name);

        var store = Get("--store", "sqlite");
        if (store is not ("sqlite" or "postgres" or "noop"))
        {
            throw new ArgumentException("--store is sqlite, postgres or noop");
        }

        var database = Get("--database", "");
        if (store == "postgres" && database.Length == 0)
        {
            throw new ArgumentException("--store postgres needs --database \"<Npgsql connection string of a server>\" (the harness creates, migrates and drops its own database there)");
        }

        return new Args(
            Get("--name", "run"),
            long.Parse(Get("--rate", "100000"), CultureInfo.InvariantCulture),
            int.Parse(Get("--rows", "1"), CultureInfo.InvariantCulture),
            double.Parse(Get("--seconds", "20"), CultureInfo.InvariantCulture),
            int.Parse(Get("--producers", "2"), CultureInfo.InvariantCulture),
            long.Parse(Get("--capacity", "200000"), CultureInfo.InvariantCulture),
            int.Parse(Get("--batch", "5000"), CultureInfo.InvariantCulture),
            store,
            database.Length == 0 ? null : database,
            Has("--no-index"),
            Has("--live-profiles"),
            Has("--keep-db"),
            Has("--require-no-loss"));
    }
}
