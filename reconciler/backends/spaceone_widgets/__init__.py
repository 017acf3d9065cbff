"""SpaceONE (Cloudforet) custom widgets: `kind: spaceone/custom-widget`."""
