// The ObjectStore module; see the files beside this one.
