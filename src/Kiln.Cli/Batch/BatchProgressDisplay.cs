using System.Globalization;
using Kiln.Cli.Output;
using Kiln.Core.Batch;
using Spectre.Console;

namespace Kiln.Cli.Batch;

/// <summary>
/// Shows a running batch: a live bar with rows, rows/s and time left on a terminal; a plain line every few seconds
/// otherwise (a log, a CI job), so progress is never lost nor a log flooded.
/// </summary>
internal static class BatchProgressDisplay
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    public static async Task<T> RunAsync<T>(Func<IProgress<BatchProgress>, Task<T>> body)
    {
        if (!CommandOutput.Error.Profile.Capabilities.Interactive)
        {
            var last = TimeSpan.Zero;
            return await body(new InlineProgress(p =>
            {
                if (p.Elapsed - last >= PlainInterval || p.Fraction >= 1)
                {
                    last = p.Elapsed;
                    Console.Error.WriteLine(Describe(p));
                }
            }));
        }

        T result = default!;
        await CommandOutput.Error.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("scoring", maxValue: 1);
                result = await body(new InlineProgress(p =>
                {
                    task.Value = p.Fraction;
                    task.Description = Markup.Escape(Rows(p));
                }));
                task.Value = 1;
            });
        return result;
    }

    private static string Rows(BatchProgress p) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.Rows:N0} rows, {p.RowsPerSecond:N0} rows/s") + (p.BadRows > 0 ? string.Create(CultureInfo.InvariantCulture, $", {p.BadRows:N0} bad") : "");

    private static string Describe(BatchProgress p) =>
        string.Create(CultureInfo.InvariantCulture, $"batch: {p.Fraction:P0}, {Rows(p)}") + (p.Remaining is { } left ? $", about {left:hh\\:mm\\:ss} left" : "");

    /// <summary>Reports on the reporting thread (Progress&lt;T&gt; would post to the thread pool and lag).</summary>
    private sealed class InlineProgress(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }
}
