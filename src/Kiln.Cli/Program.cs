using System.CommandLine;
using Kiln.Cli.Commands;

var root = new RootCommand("Kiln: track, register, deploy and monitor models")
{
    QuickstartCommand.Create(),
    ServeCommand.Create(),
    DbCommand.Create(),
    ModelsCommand.Create(),
    DeployCommand.CreateDeploy(),
    DeployCommand.CreateDeployments(),
    TrafficCommand.Create(),
    CanaryCommand.Create(),
    BlueGreenCommand.Create(),
    ShadowCommand.Create(),
    RollbackCommand.Create(),
    CompareCommand.Create(),
    MonitorCommand.Create(),
    AlertsCommand.Create(),
    PipelinesCommand.Create(),
    KeysCommand.Create(),
    AuditCommand.Create(),
    TrackingCommands.CreateExperiments(),
    TrackingCommands.CreateRuns(),
    TrainCommand.Create(),
    BatchCommand.Create(),
    DemoCommand.Create(),
};
root.Options.Add(CommonOptions.Server);
root.Options.Add(CommonOptions.ApiKey);
root.Options.Add(CommonOptions.Output);
return await root.Parse(args).InvokeAsync();
