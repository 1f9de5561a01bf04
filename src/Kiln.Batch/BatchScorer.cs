using Kiln.Core.Batch;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Kiln.Batch.Input;
using Kiln.Batch.Input.Csv;
using Kiln.Batch.Input.Parquet;
using Kiln.Batch.Logging;
using Kiln.Batch.Output;
using Kiln.Batch.Scoring;
using Kiln.Inference.Decoding;
using Kiln.Inference.Runtime;

namespace Kiln.Batch;

/// <summary>
/// Scores files with a loaded model: one reader cuts the input into chunks, the chunks are decoded, scored and
/// formatted on every core at once, and one writer puts them out in input order. At most a few chunks are in flight,
/// so memory stays flat however large the input. The output appears under its own name only when complete.
/// </summary>
public static class BatchScorer
{
    /// <summary>How many bad rows the summary lists (all are counted; a bad-rows file gets every one).</summary>
    public const int ReportedBadRows = 100;

    /// <summary>
    /// Scores <paramref name="request"/>'s input with <paramref name="runtime"/>, the runtime of model <paramref name="model"/>
    /// version <paramref name="version"/>; with a <paramref name="log"/>, sampled blocks of scored rows go to it in input order.
    /// </summary>
    public static async Task<BatchSummary> RunAsync(
        IModelRuntime runtime,
        string model,
        int version,
        BatchRequest request,
        IProgress<BatchProgress>? progress,
        CancellationToken cancellationToken,
        IBatchPredictionLog? log = null)
    {
        var files = InputFile.Resolve(request.Input);
        var outputPath = Path.GetFullPath(request.Output);
        if (files.Any(f => string.Equals(Path.GetFullPath(f.Path), outputPath, StringComparison.Ordinal)))
        {
            throw new Core.KilnException("output: is one of the input files; write the scores somewhere else.");
        }

        var format = request.OutputFormat ?? InputFile.FormatOf(outputPath) ?? BatchFileFormat.Csv;
        var keep = request.KeepColumns ?? [];
        var batchId = request.BatchId ?? NewBatchId();
        // One more than the cores: a worker waiting on the GC or the writer leaves no core idle (measured in bench/README.md).
        var workers = request.Workers > 0 ? request.Workers : Environment.ProcessorCount + 1;
        var layout = new InputLayout(runtime.Signature);
        var scorer = new ChunkScorer(runtime, layout);
        var clock = Stopwatch.StartNew();
        var partial = outputPath + ".partial";
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
        var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        IBatchSink sink = format == BatchFileFormat.Parquet
            ? new ParquetBatchSink(stream, batchId, version, keep)
            : new CsvBatchSink(stream, batchId, version, keep);
        await using var badRowsFile = request.BadRowsFile is { } badRowsPath ? new BadRowsFile(badRowsPath) : null;
        var logging = log is null ? null : new LogTarget(log, new BatchLogSampler(log.SampleRate, HashCode.Combine(batchId)), batchId);
        var run = new Run(files, layout, keep, scorer, sink, request.OnError, badRowsFile, logging, workers, request.BlockBytes, progress, clock);
        try
        {
            await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            await sink.CompleteAsync(scorer.Layout ?? OutputLayout.Of(runtime.Signature), cancellationToken).ConfigureAwait(false);
            await sink.DisposeAsync().ConfigureAwait(false);
            File.Move(partial, outputPath, overwrite: true);
        }
        catch
        {
            await sink.DisposeAsync().ConfigureAwait(false);
            File.Delete(partial);
            throw;
        }

        return new BatchSummary(
            batchId,
            model,
            version,
            files.Select(f => f.Path).ToList(),
            outputPath,
            format,
            run.Rows,
            run.Rows - run.BadRows,
            run.BadRows,
            run.FirstBadRows,
            clock.Elapsed.TotalSeconds,
            sink.Columns)
        {
            LoggedRows = logging?.Sampler.LoggedRows ?? 0,
        };
    }

    /// <summary>A batch id: <c>batch-</c>, the UTC time to the second, and random hex so two batches never share one.</summary>
    public static string NewBatchId() =>
        $"batch-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";

    private sealed record LogTarget(IBatchPredictionLog Log, BatchLogSampler Sampler, string BatchId);

    /// <summary>One batch's moving parts: the reading loop, the scoring tasks and the ordered writing loop.</summary>
    private sealed class Run(
        IReadOnlyList<InputFile> files,
        InputLayout layout,
        IReadOnlyList<string> keep,
        ChunkScorer scorer,
        IBatchSink sink,
        BadRowPolicy policy,
        BadRowsFile? badRowsFile,
        LogTarget? logging,
        int workers,
        int blockBytes,
        IProgress<BatchProgress>? progress,
        Stopwatch clock)
    {
        // Scoring runs on threads of its own: CPU-bound work on the thread pool would starve the reader's and the
        // writer's I/O continuations of threads on a small machine and leave cores idle.
        private readonly BlockingCollection<Work> _work = [];
        private readonly long _totalBytes = files.Sum(f => f.Length);
        private readonly List<BadRow> _firstBadRows = [];
        private long _bytes;
        private TimeSpan _lastReport;

        public long Rows { get; private set; }

        public long BadRows { get; private set; }

        public IReadOnlyList<BadRow> FirstBadRows => _firstBadRows;

        public async Task ExecuteAsync(CancellationToken cancellationToken)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var pending = Channel.CreateBounded<Task<(ScoredChunk Scored, object? Part)>>(new BoundedChannelOptions(workers * 2) { SingleReader = true, SingleWriter = true });
            for (var w = 0; w < workers; w++)
            {
                new Thread(() => ScoreLoop(stop.Token)) { IsBackground = true, Name = $"kiln batch worker {w}" }.Start();
            }

            var reading = ReadAsync(pending.Writer, stop.Token);
            try
            {
                await WriteAsync(pending.Reader, stop.Token).ConfigureAwait(false);
                await reading.ConfigureAwait(false);
            }
            catch
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await Drain(pending.Reader, reading).ConfigureAwait(false);
                throw;
            }
        }

        private async Task ReadAsync(ChannelWriter<Task<(ScoredChunk, object?)>> pending, CancellationToken cancellationToken)
        {
            await Task.Yield();
            try
            {
                long row = 0;
                foreach (var file in files)
                {
                    IRowSource source = file.Format == BatchFileFormat.Parquet
                        ? await ParquetRowSource.OpenAsync(file, cancellationToken).ConfigureAwait(false)
                        : await CsvRowSource.OpenAsync(file, blockBytes, cancellationToken).ConfigureAwait(false);
                    await using (source.ConfigureAwait(false))
                    {
                        file.Binding = ColumnBinding.Bind(file, layout, keep);
                        while (await source.ReadAsync(row, cancellationToken).ConfigureAwait(false) is { } chunk)
                        {
                            row += chunk.Rows;
                            var done = new TaskCompletionSource<(ScoredChunk, object?)>(TaskCreationOptions.RunContinuationsAsynchronously);
                            try
                            {
                                await pending.WriteAsync(done.Task, cancellationToken).ConfigureAwait(false);
                            }
                            catch
                            {
                                chunk.Dispose();
                                throw;
                            }

                            _work.Add(new Work(chunk, done), CancellationToken.None);
                        }
                    }
                }

                pending.Complete();
            }
            catch (Exception e)
            {
                pending.Complete(e);
                throw;
            }
            finally
            {
                _work.CompleteAdding();
            }
        }

        /// <summary>One scoring thread: takes chunks as the reader queues them until the reader is done.</summary>
        private void ScoreLoop(CancellationToken cancellationToken)
        {
            foreach (var (chunk, done) in _work.GetConsumingEnumerable(CancellationToken.None))
            {
                try
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        done.TrySetCanceled(cancellationToken);
                        continue;
                    }

                    var scored = scorer.Score(chunk);
                    done.TrySetResult((scored, sink.Format(scored)));
                }
                catch (Exception e)
                {
                    done.TrySetException(e);
                }
                finally
                {
                    chunk.Dispose();
                }
            }
        }

        private async Task WriteAsync(ChannelReader<Task<(ScoredChunk Scored, object? Part)>> pending, CancellationToken cancellationToken)
        {
            await foreach (var next in pending.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var (scored, part) = await next.ConfigureAwait(false);
                if (scored.BadRows.Count > 0)
                {
                    await RejectAsync(scored.BadRows, cancellationToken).ConfigureAwait(false);
                }

                if (part is not null)
                {
                    await sink.WriteAsync(scored, part, cancellationToken).ConfigureAwait(false);
                }

                if (logging is not null)
                {
                    foreach (var block in logging.Sampler.Blocks(scored, logging.BatchId))
                    {
                        await logging.Log.LogAsync(block, cancellationToken).ConfigureAwait(false);
                    }
                }

                Rows += scored.Chunk.Rows;
                _bytes += scored.Chunk.Bytes;
                Report(force: false);
            }

            _bytes = _totalBytes;
            Report(force: true);
        }

        private async ValueTask RejectAsync(IReadOnlyList<BadRow> badRows, CancellationToken cancellationToken)
        {
            if (policy == BadRowPolicy.Fail)
            {
                var first = badRows[0];
                throw new Core.KilnException(
                    $"input: {first}. The batch stopped there and wrote no output; --on-error skip scores the other rows and reports every bad one.");
            }

            BadRows += badRows.Count;
            foreach (var bad in badRows)
            {
                if (_firstBadRows.Count < ReportedBadRows)
                {
                    _firstBadRows.Add(bad);
                }
            }

            if (badRowsFile is not null)
            {
                await badRowsFile.WriteAsync(badRows, cancellationToken).ConfigureAwait(false);
            }
        }

        private void Report(bool force)
        {
            var now = clock.Elapsed;
            if (progress is null || (!force && now - _lastReport < TimeSpan.FromMilliseconds(200)))
            {
                return;
            }

            _lastReport = now;
            progress.Report(new BatchProgress(Rows, BadRows, _bytes, _totalBytes, now));
        }

        private sealed record Work(RowChunk Chunk, TaskCompletionSource<(ScoredChunk, object?)> Done);

        /// <summary>After a failure: waits for every chunk in flight (so their buffers go back) and for the reader to stop.</summary>
        private static async Task Drain(ChannelReader<Task<(ScoredChunk, object?)>> pending, Task reading)
        {
            try
            {
                await reading.ConfigureAwait(false);
            }
            catch
            {
                // The reader's own failure, if any, is the one already being reported, or a consequence of stopping.
            }

            while (pending.TryRead(out var next))
            {
                try
                {
                    var (_, part) = await next.ConfigureAwait(false);
                    (part as IDisposable)?.Dispose();
                }
                catch
                {
                    // A chunk cancelled or failed along with the batch.
                }
            }
        }
    }
}
