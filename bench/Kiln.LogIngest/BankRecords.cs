using Kiln.Core.Monitoring;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;

namespace Kiln.LogIngest;

/// <summary>
/// Prediction records shaped like the mlnet bank-marketing model's: 16 inputs, one tensor each of
/// shape [N, 1] (9 text, 7 FP32), and its outputs, <c>label</c> BYTES [N] and <c>probabilities</c>
/// FP32 [N, 2] labelled ["no", "yes"]. Values come from a fixed seed; the batches are built once and
/// shared, and each request gets its own record and request id, as on the serving path.
/// </summary>
public sealed class BankRecords
{
    private static readonly string[] Jobs = ["admin.", "blue-collar", "entrepreneur", "housemaid", "management", "retired", "self-employed", "services", "student", "technician", "unemployed", "unknown"];
    private static readonly string[] Maritals = ["married", "single", "divorced"];
    private static readonly string[] Educations = ["primary", "secondary", "tertiary", "unknown"];
    private static readonly string[] YesNo = ["no", "yes"];
    private static readonly string[] Contacts = ["cellular", "telephone", "unknown"];
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] Outcomes = ["failure", "other", "success", "unknown"];

    private static readonly (string Name, string[]? Vocabulary)[] Features =
    [
        ("age", null), ("job", Jobs), ("marital", Maritals), ("education", Educations), ("default", YesNo),
        ("balance", null), ("housing", YesNo), ("loan", YesNo), ("contact", Contacts), ("day", null),
        ("month", Months), ("duration", null), ("campaign", null), ("pdays", null), ("previous", null), ("poutcome", Outcomes),
    ];

    private readonly (InferenceBatch Inputs, InferenceResult Outputs)[] _batches;

    /// <summary>Builds <paramref name="distinct"/> distinct batches of <paramref name="rowsPerRecord"/> rows.</summary>
    public BankRecords(int rowsPerRecord, int distinct = 1024, int seed = 1)
    {
        RowsPerRecord = rowsPerRecord;
        var random = new Random(seed);
        _batches = new (InferenceBatch, InferenceResult)[distinct];
        for (var b = 0; b < distinct; b++)
        {
            _batches[b] = Batch(random, rowsPerRecord);
        }
    }

    /// <summary>The serving model's signature, as the mlnet flavor describes it.</summary>
    public static ModelSignature Signature { get; } = new(
        Features.Select(f => new TensorSpec(f.Name, f.Vocabulary is null ? TensorDataType.Fp32 : TensorDataType.Bytes, [-1, 1])).ToArray(),
        [new TensorSpec("label", TensorDataType.Bytes, [-1]), new TensorSpec("probabilities", TensorDataType.Fp32, [-1, 2])]);

    /// <summary>Rows in every record.</summary>
    public int RowsPerRecord { get; }

    /// <summary>A new record for request <paramref name="sequence"/>, with a Kestrel-style trace identifier as its request id.</summary>
    public PredictionRecord Create(string connection, long sequence, DateTimeOffset timestamp)
    {
        var (inputs, outputs) = _batches[sequence % _batches.Length];
        return new PredictionRecord($"{connection}:{sequence:X8}", "bank", "primary", "bank", 1, timestamp, 0.42, inputs, outputs, Signature);
    }

    /// <summary>A record for a prebuilt request id (benchmarks: no id formatting in the measured path).</summary>
    public PredictionRecord Create(string requestId, int batch, DateTimeOffset timestamp)
    {
        var (inputs, outputs) = _batches[batch % _batches.Length];
        return new PredictionRecord(requestId, "bank", "primary", "bank", 1, timestamp, 0.42, inputs, outputs, Signature);
    }

    private static (InferenceBatch, InferenceResult) Batch(Random random, int rows)
    {
        var tensors = new Tensor[Features.Length];
        for (var f = 0; f < Features.Length; f++)
        {
            var (name, vocabulary) = Features[f];
            tensors[f] = vocabulary is null
                ? new Tensor(name, TensorDataType.Fp32, [rows, 1], Numbers(random, name, rows), rows)
                : new Tensor(name, TensorDataType.Bytes, [rows, 1], Enumerable.Range(0, rows).Select(_ => vocabulary[random.Next(vocabulary.Length)]).ToArray(), rows);
        }

        var probabilities = new float[rows * 2];
        var labels = new string[rows];
        for (var r = 0; r < rows; r++)
        {
            var yes = (float)random.NextDouble();
            probabilities[(r * 2) + 0] = 1f - yes;
            probabilities[(r * 2) + 1] = yes;
            labels[r] = yes > 0.5f ? "yes" : "no";
        }

        var outputs = new InferenceResult(
        [
            new Tensor("label", TensorDataType.Bytes, [rows], labels, rows),
            new Tensor("probabilities", TensorDataType.Fp32, [rows, 2], probabilities, rows * 2) { Labels = YesNo },
        ]);
        return (new InferenceBatch(tensors, rows), outputs);
    }

    private static float[] Numbers(Random random, string name, int rows)
    {
        var values = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            values[r] = name switch
            {
                "age" => random.Next(18, 95),
                "balance" => MathF.Round((float)((random.NextDouble() * 12_000) - 2_000)),
                "day" => random.Next(1, 32),
                "duration" => random.Next(0, 3_000),
                "campaign" => random.Next(1, 20),
                "pdays" => random.Next(10) < 8 ? -1 : random.Next(1, 400),
                _ => random.Next(0, 10),
            };
        }

        return values;
    }
}
