using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Kiln.Storage.PostgreSql;

/// <summary>Lets <c>dotnet ef migrations add … --project src/Kiln.Storage.PostgreSql</c> build the context for PostgreSQL.</summary>
internal sealed class PostgresDbContextDesignFactory : IDesignTimeDbContextFactory<KilnDbContext>
{
    public KilnDbContext CreateDbContext(string[] args) =>
        new((DbContextOptions<KilnDbContext>)new DbContextOptionsBuilder<KilnDbContext>().UsePostgres("Host=localhost;Database=kiln_design").Options);
}
