using Kiln.Core.Tensors;

namespace Kiln.Inference.Decoding;

/// <summary>A request decoded from any protocol: the batch, the client's id if it sent one, and the outputs it asked for.</summary>
public sealed record DecodedRequest(InferenceBatch Batch, string? Id, IReadOnlyList<string>? Outputs);
