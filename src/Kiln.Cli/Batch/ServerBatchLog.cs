using System.Buffers;
using Kiln.Batch.Logging;
using Kiln.Client;
using Kiln.Inference.Decoding;
using Kiln.Inference.Writers;

namespace Kiln.Cli.Batch;

/// <summary><c>kiln batch --log</c>: sends sampled blocks of scored rows to a deployment's prediction log on the server.</summary>
internal sealed class ServerBatchLog(KilnClient client, string deployment, string model, int version, double sampleRate) : IBatchPredictionLog
{
    private readonly ArrayBufferWriter<byte> _body = new(64 << 10);

    public double SampleRate => sampleRate;

    public async ValueTask LogAsync(BatchPredictions block, CancellationToken cancellationToken)
    {
        _body.ResetWrittenCount();
        var firstRow = block.FirstRow <= int.MaxValue
            ? (int)block.FirstRow
            : throw new Core.KilnException("log: the prediction log addresses rows up to 2^31 − 1; log a batch this large in parts.");
        BatchPredictionsWriter.Write(_body, new BatchPredictionsHeader(model, version, block.BatchId, firstRow), block.Inputs, block.Outputs);
        await client.PostBatchPredictionsAsync(deployment, _body.WrittenMemory, cancellationToken: cancellationToken);
    }
}
