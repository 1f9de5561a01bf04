using System.Collections.Concurrent;
using Kiln.Core;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;
using Kiln.Inference.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Inference.MlNet;

/// <summary>
/// Serves an ML.NET model row by row through pooled prediction engines: an engine is not thread-safe,
/// so each call rents one with its own input and output objects. Measured on the bank model, one
/// <see cref="ITransformer.Transform"/> over a view of the batch costs ~0.4 ms for a single row and is no
/// faster per row at 1000 rows (bench/Kiln.Benchmarks MlNetServingBenchmarks), so there is no batch path.
/// </summary>
internal abstract class MlNetModelRuntime<TOutput> : IModelRuntime
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

    protected MlNetFlavorOptions Options { get; }

    /// <summary>Scores per row: 2 for binary, the class count for multiclass, 1 for regression.</summary>
    protected int Width { get; }

    public InferenceResult Predict(InferenceBatch batch, IReadOnlyList<string>? outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var columns = _map.Columns(batch);
        var scores = new float[batch.Rows * Width];
        var labels = new int[batch.Rows];
        ScoreRows(columns, scores, labels);
        return BuildResult(batch.Rows, scores, labels, outputs is null || outputs.Count == 0 ? _allOutputs : outputs);
    }

    /// <summary>Copies one engine prediction into <paramref name="scores"/> (one row) and returns its class index.</summary>
    protected abstract int Read(TOutput prediction, Span<float> scores);

    /// <summary>The output tensor called <paramref name="name"/>, or null when the task has no such output.</summary>
    protected abstract Kiln.Core.Tensors.Tensor? Output(string name, int rows, float[] scores, int[] labels);

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

    private InferenceResult BuildResult(int rows, float[] scores, int[] labels, IReadOnlyList<string> names)
    {
        var tensors = new Kiln.Core.Tensors.Tensor[names.Count];
        for (var i = 0; i < tensors.Length; i++)
        {
            tensors[i] = Output(names[i], rows, scores, labels)
                ?? throw KilnException.Invalid("outputs", $"'{names[i]}' is not an output of this model; it has {string.Join(", ", _allOutputs)}.");
        }

        return new InferenceResult(tensors);
    }

    /// <summary>The class labels of each row's predicted class.</summary>
    protected string[] LabelsOf(int rows, int[] labels)
    {
        var names = Options.ClassLabels;
        var result = new string[rows];
        for (var r = 0; r < rows; r++)
        {
            result[r] = names[labels[r]];
        }

        return result;
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
