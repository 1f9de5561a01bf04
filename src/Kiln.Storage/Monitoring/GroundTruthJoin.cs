using System.Globalization;
using Kiln.Core.Monitoring;

namespace Kiln.Storage.Monitoring;

/// <summary>
/// One ground-truth upload's bookkeeping, the same on every backend: the logged requests each label's request id
/// names (read once per id, their readings decoded once), the rows a label joins, the count of every outcome, and
/// the quality-bucket summaries the joined labels add to.
/// </summary>
public sealed class GroundTruthJoin(DateTimeOffset now, TimeSpan lateAfter)
{
    private const int ReportedIds = 100;

    private readonly Dictionary<string, List<Candidate>> _requests = new(StringComparer.Ordinal);
    private readonly long _lateBeforeMs = (now - lateAfter).ToUnixTimeMilliseconds();
    private readonly List<string> _unknownIds = [];
    private readonly List<string> _duplicateIds = [];
    private int _accepted;
    private int _late;
    private int _duplicates;
    private int _unknown;

    /// <summary>When the labels arrived (Unix milliseconds).</summary>
    public long NowMs { get; } = now.ToUnixTimeMilliseconds();

    /// <summary>The summaries of the joined labels, by the minute and version of their predictions.</summary>
    public QualityBucketBuilder Buckets { get; } = new();

    /// <summary>The logged requests with this id, read through <paramref name="read"/> the first time the id is asked for.</summary>
    public async Task<IReadOnlyList<Candidate>> RequestsAsync(string requestId, Func<string, Task<List<Candidate>>> read)
    {
        if (!_requests.TryGetValue(requestId, out var found))
        {
            _requests[requestId] = found = await read(requestId);
        }

        return found;
    }

    /// <summary>Counts one label's outcome: joined to how many rows, and whether any logged row had its address at all.</summary>
    public void Count(GroundTruthLabel label, int joined, bool known, bool late)
    {
        if (joined > 0)
        {
            _accepted++;
            _late += late ? 1 : 0;
        }
        else if (known)
        {
            _duplicates++;
            Note(_duplicateIds, label);
        }
        else
        {
            _unknown++;
            Note(_unknownIds, label);
        }
    }

    /// <summary>Whether a prediction scored at <paramref name="timestampMs"/> gets its label late.</summary>
    public bool IsLate(long timestampMs) => timestampMs < _lateBeforeMs;

    /// <summary>Adds a joined label to its bucket's summary.</summary>
    public void Joined(LabelTarget target, string label, double? labelNumber) =>
        Buckets.AddLabel(target.TimestampMs, NowMs, target.Version, target.Score, target.Prediction, target.PositiveLabel, label, labelNumber);

    /// <summary>The upload's result.</summary>
    public GroundTruthResult Result(int received) => new(received, _accepted, _late, _duplicates, _unknown, _unknownIds, _duplicateIds);

    /// <summary>A label as a number, when it is one (a regression target).</summary>
    public static double? Number(string label) =>
        double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null;

    private static void Note(List<string> ids, GroundTruthLabel label)
    {
        if (ids.Count < ReportedIds)
        {
            ids.Add($"{label.RequestId}/{label.Row.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    /// <summary>A logged request a label may belong to; its readings are decoded when a label first needs them.</summary>
    public sealed class Candidate(long id, int firstRow, int rows, long timestampMs, int version, byte[] data)
    {
        private PredictionBlob? _readings;

        /// <summary>Whether the request holds row <paramref name="row"/>.</summary>
        public bool HasRow(int row) => row >= firstRow && row - firstRow < rows;

        /// <summary>What a label for row <paramref name="row"/> joins.</summary>
        public LabelTarget Target(int row)
        {
            _readings ??= PredictionBlob.Read(data, readingsOnly: true);
            var index = row - firstRow;
            return new LabelTarget(id + index, timestampMs, version, _readings.Score(index), _readings.Prediction(index), _readings.PositiveLabel);
        }
    }
}

/// <summary>The logged row a label joins, with what quality needs of it.</summary>
/// <param name="RowId">The row's id in the log.</param>
/// <param name="TimestampMs">When it was scored (Unix milliseconds).</param>
/// <param name="Version">The version that scored it.</param>
/// <param name="Score">Its score, if any.</param>
/// <param name="Prediction">Its predicted class or value, if any.</param>
/// <param name="PositiveLabel">For binary classifiers, the positive class.</param>
public readonly record struct LabelTarget(long RowId, long TimestampMs, int Version, double? Score, string? Prediction, string? PositiveLabel);
