using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Kiln.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the context without the server.</summary>
internal sealed class KilnDbContextDesignFactory : IDesignTimeDbContextFactory<KilnDbContext>
{
    public KilnDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<KilnDbContext>().UseSqlite("Data Source=design.db").Options);
}
