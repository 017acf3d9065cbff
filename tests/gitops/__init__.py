"""What a repository gets: wac init, its workflows, the GitHub action, and export into manifests."""
