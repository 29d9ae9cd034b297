// The KeyVault module; see the files beside this one.
