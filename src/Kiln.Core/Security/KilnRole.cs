namespace Kiln.Core.Security;

/// <summary>Roles of API keys, in increasing power: each role may do all that the ones below it may.</summary>
public enum KilnRole
{
    /// <summary>Reads the registry, deployments and metadata.</summary>
    Viewer = 0,
    /// <summary>Also sends inference requests.</summary>
    Predictor = 1,
    /// <summary>Also registers models and changes deployments.</summary>
    Deployer = 2,
    /// <summary>Also manages API keys.</summary>
    Admin = 3,
}
