using ModernBert.Inputs;
using ModernBert.Storage;

namespace ModernBert.Coordinator.Planning;

/// <summary>Turns a run's input locations into the objects of its corpus.</summary>
public static class CorpusResolver
{
    /// <summary>
    /// The objects the locations match (see <see cref="ObjectStoreFactory.ListAsync"/>): the locations in the order
    /// given, each one's objects in ordinal key order; an object that an earlier location already matched is left
    /// out, and so is one a folder or glob matches whose path below it has a part starting with '.' or '_' (see
    /// <see cref="IsHidden"/>). Text documents get ids relative to their location's folder. The order is what makes
    /// planning deterministic: keep the resolved list for a resumed run, since the store may change in between.
    /// </summary>
    /// <exception cref="StorageLocationException">A location is malformed or matches no objects.</exception>
    public static async Task<IReadOnlyList<CorpusObject>> ResolveAsync(ObjectStoreFactory factory, IEnumerable<string> locations,
        CancellationToken cancellationToken)
    {
        var objects = new List<CorpusObject>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string text in locations)
        {
            ObjectListing listing = await factory.ListAsync(StoreLocation.Parse(text), cancellationToken);
            ObjectInfo[] matched = [.. listing.Objects.Where(info => listing.Named || !IsHidden(info.Key))];
            if (matched.Length == 0)
                throw new StorageLocationException(text, listing.Objects.Count == 0 ? "it matches no objects."
                    : "it matches only hidden objects (names starting with '.' or '_', which folders and globs skip).");
            foreach (ObjectInfo info in matched)
            {
                if (seen.Add(listing.Store.Describe(info.Key)))
                    objects.Add(new CorpusObject(listing.Store, info.Key, IdRoot: ""));
            }
        }
        return objects;
    }

    /// <summary>
    /// Whether a key holds a part starting with '.' or '_': the files that Spark, Hadoop and other writers leave beside
    /// their data (_SUCCESS, _committed_*, .part-00000.crc, _temporary/), which pyarrow's dataset discovery skips the
    /// same way (its ignore_prefixes, '.' and '_').
    /// </summary>
    private static bool IsHidden(string key) => key.Split('/').Any(part => part.StartsWith('.') || part.StartsWith('_'));
}
