using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Execution;
using Kiln.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Pipelines.Steps;

/// <summary>
/// A command step: runs a program with its arguments (never through a shell), each output line into the step's log.
/// A non-zero exit fails the attempt (retryable); a timeout or cancel kills the whole process tree.
/// </summary>
internal sealed class CommandStepExecutor(IOptions<KilnOptions> options) : IStepExecutor
{
    private const int StdoutTail = 4096;

    public string Kind => StepKinds.Command;

    public async Task<JsonObject> ExecuteAsync(StepExecution step, CancellationToken cancellationToken)
    {
        if (!options.Value.Pipelines.AllowCommandSteps)
        {
            throw new StepFailedException("command steps are turned off on this server (Kiln:Pipelines:AllowCommandSteps)");
        }

        var scratch = step.Text("working_directory") is null ? Directory.CreateTempSubdirectory("kiln-step-").FullName : null;
        var start = new ProcessStartInfo(step.Text("program")!)
        {
            WorkingDirectory = step.Text("working_directory") ?? scratch!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in step.List("args") ?? [])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["KILN_PIPELINE"] = step.Pipeline;
        start.Environment["KILN_PIPELINE_RUN"] = step.RunId;
        start.Environment["KILN_PIPELINE_STEP"] = step.Step.Name;
        var tail = new StringBuilder();
        try
        {
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                step.Log.Write(e.Data);
                lock (tail)
                {
                    tail.AppendLine(e.Data);
                    if (tail.Length > 2 * StdoutTail)
                    {
                        tail.Remove(0, tail.Length - StdoutTail);
                    }
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    step.Log.Write("stderr: " + e.Data);
                }
            };
            try
            {
                process.Start();
            }
            catch (Win32Exception e)
            {
                throw new StepFailedException($"could not start '{start.FileName}': {e.Message}");
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            process.WaitForExit(); // drains the output events
            var stdout = tail.ToString().Trim();
            if (stdout.Length > StdoutTail)
            {
                stdout = stdout[^StdoutTail..];
            }

            if (process.ExitCode != 0)
            {
                throw new StepFailedException($"{Path.GetFileName(start.FileName)} exited with code {process.ExitCode}", retryable: true);
            }

            return new JsonObject { ["exit_code"] = 0, ["stdout"] = stdout };
        }
        finally
        {
            if (scratch is not null)
            {
                try
                {
                    Directory.Delete(scratch, recursive: true);
                }
                catch (IOException)
                {
                    // a program that left a file open; the temp folder is cleaned by the OS
                }
            }
        }
    }
}
