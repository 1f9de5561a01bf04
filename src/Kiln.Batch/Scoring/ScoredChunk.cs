using Kiln.Core.Batch;
using Kiln.Batch.Input;
using Kiln.Core.Tensors;

namespace Kiln.Batch.Scoring;

/// <summary>
/// A chunk after scoring: which of its rows were scored (chunk-relative, in order), their outputs, and the rows
/// that could not be.
/// </summary>
/// <param name="Chunk">The rows as read.</param>
/// <param name="Scored">Chunk-relative indices of the scored rows; the result's row i is row <c>Scored[i]</c>.</param>
/// <param name="Inputs">The scored rows as the model took them (null when none was).</param>
/// <param name="Result">The model's outputs for the scored rows (null when none was).</param>
/// <param name="Layout">How the result maps to output columns (null when no row was scored).</param>
/// <param name="BadRows">Rows left out, in order.</param>
internal sealed record ScoredChunk(RowChunk Chunk, int[] Scored, InferenceBatch? Inputs, InferenceResult? Result, OutputLayout? Layout, IReadOnlyList<BadRow> BadRows);
