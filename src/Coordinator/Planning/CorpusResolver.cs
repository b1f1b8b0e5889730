using ModernBert.Inputs;
using ModernBert.Storage;

namespace ModernBert.Coordinator.Planning;

/// <summary>Turns a run's input locations into the objects of its corpus.</summary>
public static class CorpusResolver
{
    /// <summary>
    /// The objects the locations match (see <see cref="ObjectStoreFactory.ListAsync"/>): the locations in the order
    /// given, each one's objects in ordinal key order; an object that an earlier location already matched is left
    /// out. Text documents get ids relative to their location's folder. The order is what makes planning
    /// deterministic: keep the resolved list for a resumed run, since the store may change in between.
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
            if (listing.Objects.Count == 0)
                throw new StorageLocationException(text, "it matches no objects.");
            foreach (ObjectInfo info in listing.Objects)
            {
                if (seen.Add(listing.Store.Describe(info.Key)))
                    objects.Add(new CorpusObject(listing.Store, info.Key, IdRoot: ""));
            }
        }
        return objects;
    }
}
