using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Storage.Configurations;

internal sealed class LeaseConfiguration : IEntityTypeConfiguration<LeaseEntity>
{
    public void Configure(EntityTypeBuilder<LeaseEntity> builder)
    {
        builder.ToTable("leases");
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasMaxLength(64);
        builder.Property(l => l.Holder).HasMaxLength(128);
    }
}
