// The WhatsApp Graph API simulator; see the files beside this one.
