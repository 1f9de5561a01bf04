using System.Collections.Concurrent;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Inference.MlNet;

/// <summary>An mlnet model's scorer: rows of features in, [rows, width] scores and each row's class index out.</summary>
internal interface IMlNetScorer : IModelRuntime, IReportsModelEngine
{
    (float[] Scores, int[] Labels) Score(BatchColumns columns);
}

/// <summary>ML.NET's own runtime of an mlnet model, which records why the compiled tree engine does not serve it.</summary>
internal interface IMlNetReferenceRuntime : IMlNetScorer
{
    new ModelEngine Engine { get; set; }
}

/// <summary>
/// Serves an ML.NET model row by row through pooled prediction engines: an engine is not thread-safe,
/// so each call rents one with its own input and output objects. Measured on the bank model, one
/// <see cref="ITransformer.Transform"/> over a view of the batch costs ~0.4 ms for a single row and is no
/// faster per row at 1000 rows (bench/Kiln.Benchmarks MlNetServingBenchmarks), so there is no batch path.
/// </summary>
internal abstract class MlNetModelRuntime<TOutput> : IMlNetReferenceRuntime
    where TOutput : class, new()
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly SchemaDefinition _rowSchema;
    private readonly MlNetInputMap _map;
    private readonly ConcurrentBag<Worker> _workers = [];
    private readonly int _maxPooled = Math.Max(4, Environment.ProcessorCount * 4);
    private readonly Lock _engineLock = new();
    private readonly string[] _allOutputs;
    private int _pooled;
    private volatile bool _disposed;

    protected MlNetModelRuntime(MLContext ml, ITransformer model, ModelSignature signature, MlNetInputMap map, MlNetFlavorOptions options, int width)
    {
        _ml = ml;
        _model = model;
        _map = map;
        Options = options;
        Width = width;
        Signature = signature;
        _rowSchema = MlNetFeatureRow.Schema(map.NumericCount, map.CategoricalCount);
        _allOutputs = signature.Outputs.Select(o => o.Name).ToArray();

        // One engine up front: it compiles the row mapping, and a model that cannot bind fails at load, not at first request.
        Return(CreateWorker());
    }

    public ModelSignature Signature { get; }

    /// <summary>ML.NET, and why the compiled tree engine does not serve the model (set by the factory).</summary>
    public ModelEngine Engine { get; set; } = new(ModelEngine.MlNet, "the model was not offered to the compiled tree engine");

    protected MlNetFlavorOptions Options { get; }

    /// <summary>Scores per row: 2 for binary, the class count for multiclass, 1 for regression.</summary>
    protected int Width { get; }

    public InferenceResult Predict(InferenceBatch batch, IReadOnlyList<string>? outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (scores, labels) = Score(_map.Columns(batch));
        return MlNetOutputs.Build(Options, Width, outputs is null || outputs.Count == 0 ? _allOutputs : outputs, _allOutputs, batch.Rows, scores, labels);
    }

    /// <summary>Copies one engine prediction into <paramref name="scores"/> (one row) and returns its class index.</summary>
    protected abstract int Read(TOutput prediction, Span<float> scores);


    public (float[] Scores, int[] Labels) Score(BatchColumns columns)
    {
        var scores = new float[columns.Rows * Width];
        var labels = new int[columns.Rows];
        ScoreRows(columns, scores, labels);
        return (scores, labels);
    }

    private void ScoreRows(BatchColumns columns, float[] scores, int[] labels)
    {
        var worker = Rent();
        try
        {
            for (var row = 0; row < columns.Rows; row++)
            {
                columns.FillRow(row, worker.Row);
                var output = worker.Output;
                worker.Engine.Predict(worker.Row, ref output);
                worker.Output = output;
                labels[row] = Read(output, scores.AsSpan(row * Width, Width));
            }
        }
        finally
        {
            Return(worker);
        }
    }



    private Worker Rent()
    {
        if (_workers.TryTake(out var worker))
        {
            Interlocked.Decrement(ref _pooled);
            return worker;
        }

        return CreateWorker();
    }

    private void Return(Worker worker)
    {
        if (!_disposed && Interlocked.Increment(ref _pooled) <= _maxPooled)
        {
            _workers.Add(worker);
            return;
        }

        Interlocked.Decrement(ref _pooled);
        worker.Engine.Dispose();
    }

    private Worker CreateWorker()
    {
        PredictionEngine<MlNetFeatureRow, TOutput> engine;
        lock (_engineLock)
        {
            engine = _ml.Model.CreatePredictionEngine<MlNetFeatureRow, TOutput>(_model, inputSchemaDefinition: _rowSchema);
        }

        var row = new MlNetFeatureRow { Numeric = new float[_map.NumericCount], Categorical = new string[_map.CategoricalCount] };
        return new Worker(engine, row);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_workers.TryTake(out var worker))
        {
            worker.Engine.Dispose();
        }
    }

    /// <summary>An engine with its own input and output objects; used by one call at a time.</summary>
    private sealed class Worker(PredictionEngine<MlNetFeatureRow, TOutput> engine, MlNetFeatureRow row)
    {
        public PredictionEngine<MlNetFeatureRow, TOutput> Engine { get; } = engine;

        public MlNetFeatureRow Row { get; } = row;

        public TOutput Output { get; set; } = new();
    }
}
