using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Storage.Configurations;

internal sealed class TrafficShareConfiguration : IEntityTypeConfiguration<TrafficShareEntity>
{
    public void Configure(EntityTypeBuilder<TrafficShareEntity> builder)
    {
        builder.ToTable("traffic_shares");
        builder.HasKey(t => new { t.Replica, t.Deployment, t.Variant, t.BucketStartMs });
        builder.Property(t => t.Replica).HasMaxLength(64);
        builder.Property(t => t.Deployment).HasMaxLength(128);
        builder.Property(t => t.Variant).HasMaxLength(64);
        builder.HasIndex(t => t.WrittenAt);
    }
}
