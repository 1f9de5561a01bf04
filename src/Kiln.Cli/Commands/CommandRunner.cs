using System.Net;
using System.Net.Http;
using Kiln.Cli.Output;
using Kiln.Client;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary>Runs a command body and turns failures into a clear message and a named exit code.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(Func<Task> body)
    {
        try
        {
            await body();
            return ExitCodes.Success;
        }
        catch (KilnApiException e)
        {
            CommandOutput.Info($"[red]error:[/] {Markup.Escape(e.Message)}");
            return e.Status switch
            {
                HttpStatusCode.NotFound => ExitCodes.NotFound,
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.Unauthorized,
                HttpStatusCode.BadRequest => ExitCodes.InvalidArguments,
                _ => ExitCodes.Failure,
            };
        }
        catch (PipelineRunFailedException e)
        {
            CommandOutput.Info($"[red]the run did not succeed:[/] {Markup.Escape(e.Message)}");
            return ExitCodes.Failure;
        }
        catch (HttpRequestException e)
        {
            CommandOutput.Info($"[red]error:[/] cannot reach the Kiln server: {Markup.Escape(e.Message)} (is `kiln serve` running? set --server or KILN_SERVER)");
            return ExitCodes.ServerUnreachable;
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            CommandOutput.Info($"[red]error:[/] {Markup.Escape(e.Message)}: another program listens on that address; stop it or pass --urls http://127.0.0.1:<free port>.");
            return ExitCodes.Failure;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            CommandOutput.Info($"[red]error:[/] invalid settings: {Markup.Escape(string.Join(" ", e.Failures))}");
            return ExitCodes.InvalidArguments;
        }
        catch (Npgsql.NpgsqlException e)
        {
            CommandOutput.Info($"[red]error:[/] the database: {Markup.Escape(e.Message)}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or Core.KilnException)
        {
            CommandOutput.Info($"[red]error:[/] {Markup.Escape(e.Message)}");
            return ExitCodes.InvalidArguments;
        }
    }
}
