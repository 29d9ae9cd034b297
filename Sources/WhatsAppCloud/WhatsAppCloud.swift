// The WhatsAppCloud module; see the files beside this one.
