using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Kiln.Inference.Onnx;

/// <summary>
/// ONNX Runtime (1.29 and later) reports usage to Microsoft from Linux and macOS too, and keeps a device id and an
/// event cache under the user's cache folder (<c>~/.cache/Microsoft/DeveloperTools/.onnxruntime</c>). A self-hosted
/// server must not phone home, so Kiln turns it off before the runtime first starts: <c>ORT_DISABLE_TELEMETRY=1</c>
/// in the process's native environment (the runtime's own full opt-out), then <c>DisableTelemetryEvents</c>.
/// <c>KILN_ONNXRUNTIME_TELEMETRY=1</c> leaves it as the runtime ships.
/// </summary>
internal static partial class OnnxTelemetry
{
    private static int _decided;

    /// <summary>Decides once, before the first session is created.</summary>
    public static void EnsureDecided()
    {
        if (Interlocked.Exchange(ref _decided, 1) != 0 || Environment.GetEnvironmentVariable("KILN_ONNXRUNTIME_TELEMETRY") == "1")
        {
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            // .NET keeps its own copy of the environment on Unix; the runtime reads the C library's.
            _ = SetEnvironmentVariable("ORT_DISABLE_TELEMETRY", "1", 1);
        }

        OrtEnv.Instance().DisableTelemetryEvents();
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironmentVariable(string name, string value, int overwrite);
}
