using System.Text.Json.Serialization;

namespace Kiln.Core.Monitoring;

/// <summary>The true outcome of one past prediction, addressed by its request id and row.</summary>
/// <param name="RequestId">The V2 <c>id</c> the client sent, or the <c>Kiln-Request-Id</c> it got back.</param>
/// <param name="Row">The row's index within that request (default 0).</param>
/// <param name="Value">The class label or regression target, as text (numbers in invariant form).</param>
public sealed record GroundTruthLabel(string RequestId, int Row, string Value);

/// <summary>What became of a bulk ground-truth upload. Nothing is dropped silently: every label is counted once.</summary>
/// <param name="Received">Labels in the request.</param>
/// <param name="Accepted">Labels joined to a logged prediction for the first time.</param>
/// <param name="Late">Of the accepted, how many arrived later than the configured label delay.</param>
/// <param name="Duplicates">Labels for predictions that already had one (the first label is kept).</param>
/// <param name="Unknown">Labels whose request id and row match no logged prediction (never logged, sampled out, or removed by retention).</param>
/// <param name="UnknownIds">The first unknown <c>request_id/row</c> pairs.</param>
/// <param name="DuplicateIds">The first duplicate <c>request_id/row</c> pairs.</param>
public sealed record GroundTruthResult(
    int Received,
    int Accepted,
    int Late,
    int Duplicates,
    int Unknown,
    [property: JsonPropertyName("unknownIds")] IReadOnlyList<string> UnknownIds,
    [property: JsonPropertyName("duplicateIds")] IReadOnlyList<string> DuplicateIds);

/// <summary>Joins ground truth to the prediction log.</summary>
public interface IGroundTruthStore
{
    /// <summary>Applies labels to a deployment's logged predictions; <paramref name="lateAfter"/> marks labels arriving later than that as late.</summary>
    Task<GroundTruthResult> ApplyAsync(string deployment, IReadOnlyList<GroundTruthLabel> labels, DateTimeOffset now, TimeSpan lateAfter, CancellationToken cancellationToken);
}
