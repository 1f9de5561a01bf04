using Kiln.Server;

await KilnServer.Build(args).RunAsync();

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in tests.</summary>
public partial class Program;
