using System.Text;
using Kiln.Core.Packaging;
using Kiln.Inference.Decoding;
using Kiln.Inference.Runtime;
using Kiln.Monitoring.Evaluation;
using Kiln.Pipelines.Execution;
using Kiln.Training.Data;

namespace Kiln.Server.Pipelines.Steps;

/// <summary>
/// Scores a table with a loaded model through the same decoding as the serving path (the MLflow CSV decoder and the
/// model's input layout), in chunks, and reads each row's prediction and score as the prediction log does.
/// </summary>
internal static class OfflineScorer
{
    private const int ChunkRows = 512;

    public static OfflineReading[] Score(IModelRuntime runtime, TabularData data, string who, CancellationToken cancellationToken)
    {
        var layout = new InputLayout(runtime.Signature);
        var columns = data.Columns.Where(c => layout.TryGetField(c.Name, out _)).ToList();
        var readings = new OfflineReading[data.Rows];
        for (var start = 0; start < data.Rows; start += ChunkRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(ChunkRows, data.Rows - start);
            var csv = new StringBuilder();
            csv.AppendLine(string.Join(',', columns.Select(c => TabularCsv.Escape(c.Name))));
            for (var r = start; r < start + count; r++)
            {
                csv.AppendLine(string.Join(',', columns.Select(c => TabularCsv.Escape(c.Text(r)))));
            }

            Kiln.Core.Tensors.InferenceResult result;
            try
            {
                var request = CsvRequestDecoder.Decode(Encoding.UTF8.GetBytes(csv.ToString()), layout);
                result = runtime.Predict(request.Batch, null);
            }
            catch (Kiln.Core.KilnException e)
            {
                throw new StepFailedException($"the {who} cannot score the held-out rows: {e.Message}");
            }

            OfflineReadings.Read(result, count).CopyTo(readings, start);
        }

        return readings;
    }

    /// <summary>Loads a model package folder with the runtime of its flavor.</summary>
    public static IModelRuntime Load(string directory, IEnumerable<IModelRuntimeFactory> factories)
    {
        var manifest = Kiln.Training.Packaging.MlNetPackage.ReadManifest(directory);
        var factory = factories.FirstOrDefault(f => f.Flavor == manifest.Flavor)
            ?? throw new StepFailedException($"the candidate has flavor '{manifest.Flavor}', which this server cannot load");
        var root = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;
        return factory.Load(manifest, file =>
        {
            var path = Path.GetFullPath(Path.Combine(root, file));
            return path.StartsWith(root, StringComparison.Ordinal) ? File.OpenRead(path) : throw new StepFailedException($"the package names a file outside itself: {file}");
        });
    }
}
